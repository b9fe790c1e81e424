using System.ComponentModel.DataAnnotations;

namespace MicroComms.Payments;

/// <summary>The simulated payment provider's behaviour, bound from <c>MicroComms:Payments</c>.</summary>
public sealed class PaymentsOptions
{
    public const string SectionName = "MicroComms:Payments";

    /// <summary>Share of charge attempts (0 to 1) that fail with a transient error the retry policy absorbs.</summary>
    [Range(0.0, 1.0)]
    public double TransientFailureRate { get; set; } = 0.05;

    /// <summary>Charges above this amount are declined.</summary>
    [Range(typeof(decimal), "0", "79228162514264337593543950335")]
    public decimal DeclineAbove { get; set; } = 1_000m;

    /// <summary>Seed of the provider's randomness, for repeatable runs; null seeds from the clock.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Customers whose charges the provider answers only after <see cref="SlowChargeDelay"/> (a slow card processor):
    /// with a delay longer than Orders' payment timeout their orders time out, and the late payment is refunded.
    /// Empty (the default): every charge answers at once.
    /// </summary>
    public IList<string> SlowCustomers { get; } = [];

    /// <summary>How long a charge of one of <see cref="SlowCustomers"/> takes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SlowChargeDelay { get; set; } = TimeSpan.FromSeconds(10);
}
