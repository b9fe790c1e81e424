using MicroComms.Testing;

namespace MicroComms.Tests;

/// <summary>
/// The class fixture of a spec class on PostgreSQL: one private server for the class's tests (each test makes its own
/// database on it), stopped after the last one.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresTestStore Store { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Store.DisposeAsync().AsTask();
}
