using MicroComms.Messaging.Scheduling;
using MicroComms.WidgetService;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.Postgres;

/// <summary>Start-up's schema creation on PostgreSQL, where one database may hold the tables of several contexts.</summary>
[Trait("Needs", "Postgres")]
public sealed class PostgresDatabaseInitializer_Specs(PostgresFixture postgres) : StoreSpecs(postgres.Store), IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_scheduler_sharing_its_database_with_a_service_gets_its_tables_although_the_service_created_its_own_first()
    {
        // OutboxTestHost puts its scheduler in the service's database on PostgreSQL; the service's context starts first.
        await using var host = await OutboxTestHost.StartAsync(Database, new Recorder());

        await using var scope = host.Services.CreateAsyncScope();
        var scheduler = scope.ServiceProvider.GetRequiredService<SchedulerDbContext>();
        Assert.Equal(0, await scheduler.ScheduledMessages.CountAsync());
        Assert.Equal(0, await host.PendingOutboxMessages());
    }
}
