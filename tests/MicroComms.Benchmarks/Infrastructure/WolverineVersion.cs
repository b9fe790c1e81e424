namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>
/// The Wolverine version the peer rows ran with, read from the loaded assembly, so a package bump in
/// Directory.Packages.props cannot leave the row labels naming the old one.
/// </summary>
public static class WolverineVersion
{
    public static string Text { get; } = typeof(Wolverine.IMessageBus).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "?";
}
