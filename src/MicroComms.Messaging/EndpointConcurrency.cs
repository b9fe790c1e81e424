using System.Collections.Concurrent;
using MassTransit;

namespace MicroComms.Messaging;

/// <summary>
/// How many messages a receive endpoint processes at once when it sets no limit of its own: MicroComms' default
/// (<c>MicroComms:RabbitMq:ConcurrentMessageLimit</c>), or the outbox's (<c>MicroComms:Outbox:ConcurrentMessageLimit</c>)
/// once a consumer or saga under the consumer outbox is configured on the endpoint.
/// </summary>
/// <remarks>
/// MassTransit applies an endpoint's own limit (its Definition, <c>.Endpoint(e =&gt; ...)</c>) before the
/// ConfigureEndpoints callbacks run, and configures the consumers after them; a bus-wide limit would be
/// indistinguishable from an endpoint's own in between, so the default is set per endpoint and remembered here, by the
/// endpoint's input address; one per bus, a singleton of its service provider.
/// </remarks>
internal sealed class EndpointConcurrency
{
    // The default each endpoint was given (null when the default is 'as many as the prefetch').
    private readonly ConcurrentDictionary<Uri, int?> _defaulted = new();

    /// <summary>From MicroComms' own endpoint callback, the first to run.</summary>
    public void ApplyDefault(IReceiveEndpointConfigurator endpoint, int? limit)
    {
        if (endpoint.ConcurrentMessageLimit is null)
        {
            endpoint.ConcurrentMessageLimit = limit;
            _defaulted[endpoint.InputAddress] = limit;
        }
    }

    /// <summary>From the outbox, when a consumer or saga under it is configured on <paramref name="endpoint"/>.</summary>
    public void ApplyOutboxDefault(IReceiveEndpointConfigurator endpoint, int? limit)
    {
        if (limit is not null
            && _defaulted.TryGetValue(endpoint.InputAddress, out var given)
            && endpoint.ConcurrentMessageLimit == given)
        {
            endpoint.ConcurrentMessageLimit = limit;
        }
    }
}
