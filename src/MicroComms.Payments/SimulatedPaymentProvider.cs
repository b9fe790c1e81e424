using Microsoft.Extensions.Options;

namespace MicroComms.Payments;

/// <summary>
/// Stands in for a card processor: fails transiently at <see cref="PaymentsOptions.TransientFailureRate"/>
/// and declines amounts above <see cref="PaymentsOptions.DeclineAbove"/>.
/// </summary>
public sealed class SimulatedPaymentProvider
{
    private readonly PaymentsOptions options;
    private readonly Random random;
    private readonly Lock gate = new();

    public SimulatedPaymentProvider(IOptions<PaymentsOptions> options)
    {
        this.options = options.Value;
        random = this.options.Seed is { } seed ? new Random(seed) : new Random();
    }

    public Task<PaymentDecision> ChargeAsync(Guid orderId, string customerId, decimal amount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        double roll;
        lock (gate)
        {
            roll = random.NextDouble();
        }

        if (roll < options.TransientFailureRate)
        {
            throw new PaymentProviderUnavailableException($"The payment provider timed out charging order {orderId}.");
        }

        if (amount > options.DeclineAbove)
        {
            return Task.FromResult(new PaymentDecision(false, Guid.Empty, $"Amount {amount} is above the limit of {options.DeclineAbove}."));
        }

        if (amount <= 0)
        {
            return Task.FromResult(new PaymentDecision(false, Guid.Empty, $"Amount {amount} cannot be charged."));
        }

        return Task.FromResult(new PaymentDecision(true, Guid.NewGuid(), null));
    }
}
