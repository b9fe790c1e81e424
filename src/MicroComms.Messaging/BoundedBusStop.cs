using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging;

/// <summary>
/// MassTransit's hosted service, with a stop that returns after <see cref="MicroCommsOptions.StopTimeout"/> even when
/// the bus does not. MassTransit's own StopTimeout only cancels a token: a consumer that ignores it, or a receive
/// endpoint stuck in a RabbitMQ.Client call after a broker restart, held the host's stop (and the process) open for
/// good. Giving up is safe: what the bus had not acknowledged returns to its queue when the connection closes.
/// Its start ends too, at the first queue the broker refuses to declare as asked (<see cref="QueueConflictGuard"/>), where
/// MassTransit would try again for ever.
/// </summary>
internal sealed class BoundedBusStop(MassTransitHostedService bus, TimeSpan stopTimeout, QueueConflictGuard? guard, ILogger<BoundedBusStop> logger)
    : IHostedService, IAsyncDisposable
{
    /// <summary>Time MassTransit gets beyond its own StopTimeout to finish a stop it has cancelled.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>Puts MassTransit's hosted service behind a bounded stop, in its place (so start and stop order stay).</summary>
    public static void Replace(IServiceCollection services, TimeSpan stopTimeout)
    {
        var index = services.ToList().FindIndex(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(MassTransitHostedService));
        if (index < 0)
        {
            throw new InvalidOperationException("AddMassTransit registered no MassTransitHostedService to bound.");
        }

        services[index] = ServiceDescriptor.Singleton<IHostedService>(sp => new BoundedBusStop(
            ActivatorUtilities.CreateInstance<MassTransitHostedService>(sp),
            stopTimeout,
            sp.GetService<QueueConflictGuard>(),
            sp.GetRequiredService<ILogger<BoundedBusStop>>()));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var start = bus.StartAsync(cancellationToken);
        if (guard is null)
        {
            await start;
            return;
        }

        var first = await Task.WhenAny(start, guard.Conflict);
        if (first != start)
        {
            // The bus goes on retrying until the host stops it; its eventual failure is observed here.
            _ = start.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }

        await first;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Bounded(bus.StopAsync(cancellationToken), cancellationToken);

    public async ValueTask DisposeAsync() => await Bounded(bus.DisposeAsync().AsTask(), CancellationToken.None);

    private async Task Bounded(Task stop, CancellationToken cancellationToken)
    {
        try
        {
            await stop.WaitAsync(stopTimeout + Grace, cancellationToken);
        }
        catch (Exception ex) when (!stop.IsCompleted && ex is TimeoutException or OperationCanceledException)
        {
            logger.LogError(
                "The bus did not stop within {StopTimeout} (MicroComms:StopTimeout); shutdown goes on without it. Messages it had "
                + "not acknowledged return to their queues when the process exits",
                stopTimeout);

            // Observed, so a late failure is not an unobserved task exception.
            _ = stop.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
    }
}
