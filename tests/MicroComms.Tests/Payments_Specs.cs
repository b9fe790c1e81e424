using MassTransit;
using MicroComms.Contracts;
using MicroComms.Payments;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Tests;

public sealed class Payments_Specs
{
    [Fact]
    public async Task A_charge_within_the_limit_completes_and_is_recorded()
    {
        await using var host = await TestHosts.Payments();
        var orderId = NewId.NextGuid();

        await Charge(host, new ChargePayment(orderId, "alice", 250m));

        Assert.True(await host.Harness.Published.Any<PaymentCompleted>(m => m.Context.Message.OrderId == orderId && m.Context.Message.Amount == 250m));
        Assert.True(await host.InScopeAsync<PaymentsDbContext, bool>(db => db.Charges.AnyAsync(c => c.OrderId == orderId && c.Approved)));
    }

    [Fact]
    public async Task A_charge_above_the_limit_is_declined_with_the_reason()
    {
        await using var host = await TestHosts.Payments(new() { ["MicroComms:Payments:DeclineAbove"] = "100" });
        var orderId = NewId.NextGuid();

        await Charge(host, new ChargePayment(orderId, "alice", 100.01m));

        Assert.True(await host.Harness.Published.Any<PaymentFailed>(m =>
            m.Context.Message.OrderId == orderId && m.Context.Message.Reason.Contains("above the limit", StringComparison.Ordinal)));
        Assert.False(await host.Harness.Published.Any<PaymentCompleted>());
    }

    [Fact]
    public async Task A_redelivered_charge_never_charges_twice()
    {
        await using var host = await TestHosts.Payments();
        var command = new ChargePayment(NewId.NextGuid(), "bob", 40m);

        await Charge(host, command);
        Assert.True(await host.Harness.Published.Any<PaymentCompleted>());
        await Charge(host, command);
        Assert.True(await host.Harness.Published.Any<PaymentCompleted>(_ => host.Harness.Published.Select<PaymentCompleted>().Count() == 2));

        var payments = host.Harness.Published.Select<PaymentCompleted>().Select(m => m.Context.Message.PaymentId).Distinct();
        Assert.Single(payments);
        Assert.Equal(1, await host.InScopeAsync<PaymentsDbContext, int>(db => db.Charges.CountAsync()));
    }

    [Fact]
    public async Task A_provider_that_keeps_failing_sends_the_charge_to_the_error_queue_after_retries()
    {
        await using var host = await TestHosts.Payments(new() { ["MicroComms:Payments:TransientFailureRate"] = "1" });
        var orderId = NewId.NextGuid();

        await Charge(host, new ChargePayment(orderId, "carol", 10m));

        Assert.True(await host.Harness.Published.Any<Fault<ChargePayment>>(m => m.Context.Message.Message.OrderId == orderId));
        Assert.Contains(
            host.Harness.Published.Select<Fault<ChargePayment>>().First().Context.Message.Exceptions,
            e => e.ExceptionType.Contains(nameof(PaymentProviderUnavailableException), StringComparison.Ordinal));
        Assert.False(await host.InScopeAsync<PaymentsDbContext, bool>(db => db.Charges.AnyAsync()));
    }

    [Fact]
    public async Task A_charge_without_a_customer_is_refused_as_bad_input()
    {
        await using var host = await TestHosts.Payments();

        await Charge(host, new ChargePayment(NewId.NextGuid(), " ", 10m));

        Assert.True(await host.Harness.Published.Any<Fault<ChargePayment>>());
        Assert.False(await host.Harness.Published.Any<PaymentCompleted>());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_transient_failures()
    {
        static async Task<bool[]> Rolls()
        {
            var options = Microsoft.Extensions.Options.Options.Create(new PaymentsOptions { Seed = 7, TransientFailureRate = 0.5 });
            var provider = new SimulatedPaymentProvider(options);
            var rolls = new bool[20];
            for (var i = 0; i < rolls.Length; i++)
            {
                try
                {
                    await provider.ChargeAsync(Guid.NewGuid(), "alice", 1m, CancellationToken.None);
                }
                catch (PaymentProviderUnavailableException)
                {
                    rolls[i] = true;
                }
            }

            return rolls;
        }

        var first = await Rolls();
        Assert.Equal(first, await Rolls());
        Assert.Contains(true, first);
        Assert.Contains(false, first);
    }

    private static async Task Charge(ServiceTestHost host, ChargePayment command)
    {
        var endpoint = await host.Harness.Bus.GetSendEndpoint(new Uri("queue:charge-payment"));
        await endpoint.Send(command);
    }
}
