namespace MicroComms.Host.Errors;

/// <summary>An expected failure of an <c>errors</c> command, with a message for the operator (exit code 1).</summary>
public class ErrorCommandException : Exception
{
    public ErrorCommandException(string message)
        : base(message)
    {
    }

    public ErrorCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
