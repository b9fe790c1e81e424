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
}
