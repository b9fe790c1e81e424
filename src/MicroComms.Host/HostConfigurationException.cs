namespace MicroComms.Host;

/// <summary>The command line or configuration asks for something that cannot run; the message says what to change.</summary>
public sealed class HostConfigurationException : Exception
{
    public HostConfigurationException(string message)
        : base(message)
    {
    }
}
