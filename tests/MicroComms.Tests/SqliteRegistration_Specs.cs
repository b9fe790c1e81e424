using MicroComms.Messaging;
using MicroComms.Testing;
using MicroComms.Tests.Sagas;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Tests;

public sealed class SqliteRegistration_Specs
{
    [Fact]
    public async Task Ef_core_does_not_log_a_lost_insert_race_as_an_error()
    {
        var log = new ErrorLog();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Counter"] = $"Data Source={MicroCommsTestHost.TempDatabase()}" })
            .Build();
        var services = new ServiceCollection().AddLogging(l => l.AddProvider(log));
        services.AddSqliteDbContext<CounterDbContext>(configuration, "Counter");
        await using var provider = services.BuildServiceProvider();
        var id = Guid.NewGuid();
        await using (var first = provider.CreateAsyncScope())
        {
            var db = first.ServiceProvider.GetRequiredService<CounterDbContext>();
            await db.Database.EnsureCreatedAsync();
            db.Add(new CounterState { CorrelationId = id, CurrentState = "Active" });
            await db.SaveChangesAsync();
        }

        await using (var second = provider.CreateAsyncScope())
        {
            var db = second.ServiceProvider.GetRequiredService<CounterDbContext>();
            db.Add(new CounterState { CorrelationId = id, CurrentState = "Active" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        // The exception reached its caller, which logs it with the message it was handling.
        Assert.Empty(log.Errors);
    }

    private sealed class ErrorLog : ILoggerProvider, ILogger
    {
        private readonly List<string> errors = [];

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (errors)
                {
                    return [.. errors];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lock (errors)
                {
                    errors.Add($"{eventId.Name}: {formatter(state, exception)}");
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
