using System.ComponentModel.DataAnnotations;

namespace MicroComms.Gateway;

/// <summary>Gateway settings, bound from <c>MicroComms:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "MicroComms:Gateway";

    /// <summary>How long the gateway waits for a service to answer a request before it answers 504.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
