using Microsoft.Extensions.Options;

namespace MicroComms.Payments;

/// <summary>
/// Stands in for a card processor: fails transiently at <see cref="PaymentsOptions.TransientFailureRate"/>
/// declines amounts above <see cref="PaymentsOptions.DeclineAbove"/>, and answers the charges of
/// <see cref="PaymentsOptions.SlowCustomers"/> only after <see cref="PaymentsOptions.SlowChargeDelay"/>.
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

    public async Task<PaymentDecision> ChargeAsync(Guid orderId, string customerId, decimal amount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_options.SlowCustomers.Contains(customerId, StringComparer.Ordinal))
        {
            await Task.Delay(_options.SlowChargeDelay, cancellationToken);
        }

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
            return new PaymentDecision(false, Guid.Empty, $"Amount {amount} is above the limit of {_options.DeclineAbove}.");
        }

        if (amount <= 0)
        {
            return new PaymentDecision(false, Guid.Empty, $"Amount {amount} cannot be charged.");
        }

        return new PaymentDecision(true, Guid.NewGuid(), null);
    }
}
