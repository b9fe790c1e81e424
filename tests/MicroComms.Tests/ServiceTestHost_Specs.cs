using MassTransit;
using MicroComms.Contracts;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Messaging.Inbox;
using MicroComms.Orders;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests;

/// <summary>
/// <see cref="ServiceTestHost"/> runs the production pipeline, not a harness's: without MicroComms' retry policy, the
/// consumer outbox and inbox, or the EF Core saga repository in the bus configuration, this fails. (Under the
/// harness's bus configuration it did: retry and inbox survived, the saga row never reached the database.)
/// </summary>
public sealed class ServiceTestHost_Specs
{
    [Fact]
    public async Task A_consumer_that_fails_once_is_retried_by_the_MicroComms_policy_and_commits_through_the_outbox_and_inbox()
    {
        var failOnce = new FailFirstOrderSave();
        await using var host = await ServiceTestHost.StartAsync(
            (s, c) => s.AddOrders(c),
            x => x.AddOrders(),
            ["Orders"],
            settings: TestHosts.FastRetry,
            configureServices: s => s.ConfigureDbContext<OrdersDbContext>(o => o.AddInterceptors(failOnce), ServiceLifetime.Singleton));
        var orderId = NewId.NextGuid();
        var messageId = NewId.NextGuid();

        var response = await host.Harness.Bus.CreateRequestClient<SubmitOrder>(new Uri("queue:submit-order"))
            .GetResponse<OrderAccepted, OrderRejected>(
                new SubmitOrder(orderId, "alice", [new OrderLine("KB-101", 1, 50m)]),
                r => r.UseExecute(c => c.MessageId = messageId));

        // Accepted after a failure: without the retry the request would have faulted.
        Assert.Equal(1, failOnce.Failures);
        Assert.True(response.Is(out Response<OrderAccepted>? _));
        Assert.True(
            await host.InScopeAsync<OrdersDbContext, bool>(db => db.Set<InboxState>().AnyAsync(i => i.MessageId == messageId && i.Consumed != null)),
            "no consumed inbox row for the SubmitOrder: the consumer outbox is not on the endpoint");
        Assert.True(await host.Harness.Published.Any<OrderSubmitted>(m => m.Context.Message.OrderId == orderId));

        // The saga consumes OrderSubmitted into its EF Core repository, the table production uses.
        await Poll.Until(() => host.InScopeAsync<OrdersDbContext, bool>(db => db.OrderSagas.AnyAsync(s => s.CorrelationId == orderId)));
        await Poll.Until(() => host.InScopeAsync<OrdersDbContext, bool>(async db => !await db.Set<OutboxMessage>().AnyAsync()));
    }

    /// <summary>Fails the first save that adds an order, as a busy database would.</summary>
    private sealed class FailFirstOrderSave : SaveChangesInterceptor
    {
        private int _saves;

        public int Failures => Math.Min(Volatile.Read(ref _saves), 1);

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context?.ChangeTracker.Entries<Order>().Any(e => e.State == EntityState.Added) == true
                && Interlocked.Increment(ref _saves) == 1)
            {
                throw new InvalidOperationException("simulated transient failure of the first order save");
            }

            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}
