using MassTransit;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using MicroComms.WidgetService;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MicroComms.Tests.Postgres;

/// <summary>
/// Claims on PostgreSQL are row locks (<c>FOR UPDATE SKIP LOCKED</c>) held in the claiming instance's transaction: another
/// instance skips the rows at once instead of waiting, and an instance that dies (its connection gone) leaves them free
/// the moment the server ends its backend, well before the lease the claim wrote would have run out.
/// </summary>
[Trait("Needs", "Postgres")]
public sealed class PostgresClaims_Specs(PostgresFixture postgres) : StoreSpecs(postgres.Store), IClassFixture<PostgresFixture>
{
    private const int Rows = 3;

    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Outbox_owners_claimed_by_one_instance_are_skipped_by_another_and_free_once_its_connection_dies()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, new Recorder(), o => o.UseBusOutbox(deliveryService: false));
        for (var i = 0; i < Rows; i++)
        {
            await host.CreateWidget(Guid.NewGuid(), "claimed");
        }

        var leases = host.Services.GetRequiredService<IOutboxLeaseStore>();
        await HeldClaimIsSkippedAndFreedByTheDeathOfItsConnection<OutboxTestDbContext>(host.Services, async db =>
            (await leases.ClaimAsync(db, NewId.NextGuid(), 10, DateTime.UtcNow + Lease, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Lapsed_inbox_rows_claimed_by_one_instance_are_skipped_by_another_and_free_once_its_connection_dies()
    {
        await using var host = await OutboxTestHost.StartAsync(Database, new Recorder(), o => o.DeliveryService = false);
        await host.InScope(async (_, db) =>
        {
            for (var i = 0; i < Rows; i++)
            {
                db.Add(new InboxState
                {
                    MessageId = NewId.NextGuid(),
                    ConsumerId = NewId.NextGuid(),
                    LockId = NewId.NextGuid(),
                    Received = DateTime.UtcNow,
                    Consumed = DateTime.UtcNow,
                    ReceiveCount = 1,
                    LockedUntil = DateTime.UtcNow.AddSeconds(-1),
                });
            }

            await db.SaveChangesAsync();
        });

        var leases = host.Services.GetRequiredService<IOutboxLeaseStore>();
        await HeldClaimIsSkippedAndFreedByTheDeathOfItsConnection<OutboxTestDbContext>(host.Services, async db =>
            (await leases.ClaimLapsedInboxAsync(db, NewId.NextGuid(), 10, DateTime.UtcNow + Lease, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Scheduled_messages_claimed_by_one_dispatcher_are_skipped_by_another_and_free_once_its_connection_dies()
    {
        // Due in an hour, so the host's own dispatcher leaves them; the spec claims with a clock past that.
        await using var host = await OutboxTestHost.StartAsync(Database, new Recorder(), o => o.DeliveryService = false);
        var due = DateTimeOffset.UtcNow.AddHours(1);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SchedulerDbContext>();
            for (var i = 0; i < Rows; i++)
            {
                db.ScheduledMessages.Add(new ScheduledMessageRow
                {
                    TokenId = Guid.NewGuid(),
                    DueAt = due.ToUnixTimeMilliseconds(),
                    DestinationAddress = new Uri("queue:reminder"),
                    MessageId = Guid.NewGuid(),
                    ContentType = "application/vnd.masstransit+json",
                    MessageType = "urn:message:MicroComms.Tests:Reminder",
                    Body = "{}",
                    SentTime = DateTime.UtcNow,
                });
            }

            await db.SaveChangesAsync();
        }

        var now = due.AddMinutes(1).ToUnixTimeMilliseconds();
        await HeldClaimIsSkippedAndFreedByTheDeathOfItsConnection<SchedulerDbContext>(host.Services, db =>
            StoreClaims.Of(db).ClaimScheduledAsync(db, Guid.NewGuid(), now, now + (long)Lease.TotalMilliseconds, 10, CancellationToken.None));
    }

    /// <summary>
    /// One instance claims all <see cref="Rows"/> and holds them; a second claims none and does not wait; the first
    /// one's backend is ended (as when its process dies); the second then claims all of them, inside the first one's lease.
    /// </summary>
    private async Task HeldClaimIsSkippedAndFreedByTheDeathOfItsConnection<TContext>(IServiceProvider services, Func<TContext, Task<int>> claim)
        where TContext : DbContext
    {
        await using var holderScope = services.CreateAsyncScope();
        var holder = holderScope.ServiceProvider.GetRequiredService<TContext>();
        Assert.Equal(Rows, await claim(holder));
        Assert.NotNull(holder.Database.CurrentTransaction);

        // A claim that waited for the holder's locks would not return before the holder finished: it never does here.
        Assert.Equal(0, await ClaimInScopeOfItsOwn(services, claim).WaitAsync(TimeSpan.FromSeconds(10)));

        await TerminateBackendAsync(((NpgsqlConnection)holder.Database.GetDbConnection()).ProcessID);
        await Poll.Until(async () => await ClaimInScopeOfItsOwn(services, claim) == Rows, Lease / 4);
    }

    private static async Task<int> ClaimInScopeOfItsOwn<TContext>(IServiceProvider services, Func<TContext, Task<int>> claim)
        where TContext : DbContext
    {
        // The scope's end rolls back what it claimed, so every call starts from the same rows.
        await using var scope = services.CreateAsyncScope();
        return await claim(scope.ServiceProvider.GetRequiredService<TContext>());
    }

    private async Task TerminateBackendAsync(int processId)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
        terminate.Parameters.AddWithValue("pid", processId);
        Assert.Equal(true, await terminate.ExecuteScalarAsync());
    }
}
