using MicroComms.Testing;

namespace MicroComms.Tests.WebConsole;

/// <summary><see cref="ConsoleHost"/> with its Orders database on a private PostgreSQL server of the class.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The server goes in DisposeAsync (IAsyncLifetime), which xunit calls after the class.")]
public sealed class PostgresConsoleHost : ConsoleHost
{
    private readonly PostgresTestStore _store = new();

    protected override TestStore Store => _store;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _store.DisposeAsync();
    }
}
