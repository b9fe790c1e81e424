using System.Collections.Concurrent;

namespace MicroComms.Messaging.Retry;

/// <summary>
/// The retry policy a Definition chose for its endpoint, by the endpoint's input address; one per bus, a singleton of
/// its service provider. The convention's policy reads it when the endpoint is built, which happens after every
/// Definition has configured the endpoint, so the order in which MassTransit calls the two does not matter.
/// </summary>
internal sealed class EndpointRetryOverrides
{
    private readonly ConcurrentDictionary<Uri, RetryOptions> _chosen = new();

    public void Replace(Uri endpoint, RetryOptions retry) => _chosen[endpoint] = retry;

    public RetryOptions Resolve(Uri endpoint, RetryOptions defaults) => _chosen.GetValueOrDefault(endpoint, defaults);
}
