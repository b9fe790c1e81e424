namespace MicroComms.Messaging.Inbox;

/// <summary>What <see cref="CrashPointOptions"/> does when it triggers.</summary>
internal enum CrashMode
{
    /// <summary>SIGKILL to the own process: nothing after the commit runs, as when the machine dies.</summary>
    Kill,

    /// <summary>An exception after the commit: the process lives on, the message fails (for in-process specs).</summary>
    Throw,
}
