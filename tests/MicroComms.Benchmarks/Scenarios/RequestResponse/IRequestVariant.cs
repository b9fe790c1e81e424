namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>One way of asking "where is order X?" and waiting for the answer.</summary>
public interface IRequestVariant : IAsyncDisposable
{
    string Name { get; }

    Task StartAsync(BenchContext context, string virtualHost, OrderStatusStore store, CancellationToken cancellationToken);

    /// <summary>One request and its response; throws when the answer is not the order asked for.</summary>
    Task CallAsync(Guid orderId, CancellationToken cancellationToken);
}
