using MicroComms.Messaging.Stores;
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
        services.AddMicroCommsDbContext<CounterDbContext>(configuration, "Counter");
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

    [Fact]
    public async Task Every_connection_a_service_database_opens_waits_for_the_write_lock_syncs_normally_and_keeps_temporary_files_in_memory()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Counter"] = $"Data Source={MicroCommsTestHost.TempDatabase()}" })
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMicroCommsDbContext<CounterDbContext>(configuration, "Counter");
        await using var provider = services.BuildServiceProvider();

        // Each scope opens the connection anew, from the pool after the first.
        for (var open = 0; open < 3; open++)
        {
            await using var scope = provider.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CounterDbContext>();
            Assert.Equal(10_000, await db.Database.SqlQueryRaw<int>("SELECT timeout AS Value FROM pragma_busy_timeout").SingleAsync());
            Assert.Equal(1, await db.Database.SqlQueryRaw<int>("SELECT synchronous AS Value FROM pragma_synchronous").SingleAsync());
            Assert.Equal(2, await db.Database.SqlQueryRaw<int>("SELECT temp_store AS Value FROM pragma_temp_store").SingleAsync());
        }
    }
}
