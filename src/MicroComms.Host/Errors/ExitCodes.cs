namespace MicroComms.Host.Errors;

/// <summary>Exit codes of the operator commands (<c>errors</c>, <c>outbox</c>), for scripts.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The broker or a database could not be reached, a queue does not exist, a message was not found, a publish was refused.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong (missing or conflicting options, a purge without --yes).</summary>
    public const int Usage = 2;
}
