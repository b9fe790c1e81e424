using Microsoft.Extensions.Options;

namespace MicroComms.Payments;

/// <summary>
/// Stands in for a card processor: fails transiently at <see cref="PaymentsOptions.TransientFailureRate"/>
/// and declines amounts above <see cref="PaymentsOptions.DeclineAbove"/>.
/// </summary>
public sealed class SimulatedPaymentProvider
{
    private readonly PaymentsOptions _options;
    private readonly Random _random;
    private readonly Lock _gate = new();

    public SimulatedPaymentProvider(IOptions<PaymentsOptions> options)
    {
        _options = options.Value;
        _random = _options.Seed is { } seed ? new Random(seed) : new Random();
    }

    public Task<PaymentDecision> ChargeAsync(Guid orderId, string customerId, decimal amount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        double roll;
        lock (_gate)
        {
            roll = _random.NextDouble();
        }

        if (roll < _options.TransientFailureRate)
        {
            throw new PaymentProviderUnavailableException($"The payment provider timed out charging order {orderId}.");
        }

        if (amount > _options.DeclineAbove)
        {
            return Task.FromResult(new PaymentDecision(false, Guid.Empty, $"Amount {amount} is above the limit of {_options.DeclineAbove}."));
        }

        if (amount <= 0)
        {
            return Task.FromResult(new PaymentDecision(false, Guid.Empty, $"Amount {amount} cannot be charged."));
        }

        return Task.FromResult(new PaymentDecision(true, Guid.NewGuid(), null));
    }
}
