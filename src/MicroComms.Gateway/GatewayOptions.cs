using System.ComponentModel.DataAnnotations;

namespace MicroComms.Gateway;

/// <summary>Gateway settings, bound from <c>MicroComms:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "MicroComms:Gateway";

    /// <summary>How long the gateway waits for a service to answer a request before it answers 504.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Added to <see cref="RequestTimeout"/> for the bound on a whole request, sending included: MassTransit's timeout
    /// starts once the request is sent, and a send to an unreachable broker can block before that.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RequestTimeoutMargin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a client waits for any answer that needs a service.</summary>
    public TimeSpan AnswerBound => RequestTimeout + RequestTimeoutMargin;
}
