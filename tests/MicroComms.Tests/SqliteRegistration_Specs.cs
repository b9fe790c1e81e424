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
        var errors = new LogCapture(LogLevel.Error, (_, _) => true);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Counter"] = $"Data Source={MicroCommsTestHost.TempDatabase()}" })
            .Build();
        var services = new ServiceCollection().AddLogging(l => l.AddProvider(errors));
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
        Assert.Empty(errors.Entries);
    }
}
