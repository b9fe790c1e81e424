using MassTransit;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Testing;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// Publish -> consume through a MassTransit bus in its own virtual host; the scenarios differ only in how the bus is
/// registered (<see cref="AddBus"/>), so the driver, warm-up and measurement are the same for each row.
/// </summary>
public abstract class BusPublishScenario : IScenario
{
    private readonly ConsumeCounter _counter = new();
    private BenchContext _context = null!;
    private IHost? _host;
    private IBus _bus = null!;

    public abstract string Name { get; }

    public ScenarioFamily Family => ScenarioFamily.Throughput;

    public abstract string Description { get; }

    /// <summary>The row's label in the results table.</summary>
    protected abstract string Variant { get; }

    /// <summary>Registers the bus with <see cref="CountingConsumer"/> on it, pointed at <paramref name="vhost"/>.</summary>
    protected abstract void AddBus(IServiceCollection services, IConfiguration configuration, RabbitMqNode node, string vhost);

    /// <summary>The broker the row runs on: the run's single node unless a scenario says otherwise.</summary>
    protected virtual Task<BenchContext> BrokerAsync(BenchContext context) => Task.FromResult(context);

    /// <summary>The default queue type of the scenario's virtual host; null for RabbitMQ's (classic).</summary>
    protected virtual string? DefaultQueueType => null;

    /// <summary>What every publish goes through; null for none, as a service publishes.</summary>
    protected virtual IPipe<PublishContext<BenchMessage>>? PublishPipe => null;

    /// <summary>Configuration the host starts with (empty unless the bus binds its settings from configuration).</summary>
    protected virtual Dictionary<string, string?> Settings(RabbitMqNode node, string vhost) => [];

    /// <summary>
    /// Plain MassTransit (no MicroComms) with <see cref="CountingConsumer"/>, pointed at <paramref name="vhost"/> on the
    /// node, with MassTransit's defaults except what <paramref name="tune"/> changes.
    /// </summary>
    protected static void AddPlainMassTransit(IServiceCollection services, RabbitMqNode node, string vhost, Action<IRabbitMqBusFactoryConfigurator>? tune = null) =>
        services.AddMassTransit(x =>
        {
            // Not a MassTransit default, but no benchmark row should call the vendor's host.
            x.DisableUsageTelemetry();
            x.AddConsumer<CountingConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(node.Host, (ushort)node.Port, vhost, h =>
                {
                    h.Username(node.Username);
                    h.Password(node.Password);
                });
                tune?.Invoke(cfg);
                cfg.ConfigureEndpoints(context);
            });
        });

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        context = await BrokerAsync(context);
        _context = context;
        var vhost = await context.CreateVirtualHostAsync(Name, DefaultQueueType);
        _host = BenchHost.Build(Settings(context.Node, vhost), (services, configuration) =>
        {
            services.AddSingleton(_counter);
            AddBus(services, configuration, context.Node, vhost);
        });
        await _host.StartAsync(cancellationToken);
        _bus = _host.Services.GetRequiredService<IBus>();
        await RunAsync(context.Settings.Warmup, cancellationToken);
    }

    public async Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        return await ThroughputDriver.MeasureAsync(Name, Variant, _context.Settings.Messages, _counter, RunAsync, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private Task<TimeSpan> RunAsync(int messages, CancellationToken cancellationToken)
    {
        Func<long, CancellationToken, Task> publish = PublishPipe is { } pipe
            ? (i, ct) => _bus.Publish(BenchMessage.Create(i), pipe, ct)
            : (i, ct) => _bus.Publish(BenchMessage.Create(i), ct);
        return ThroughputDriver.RunAsync(messages, _context.Settings.PublishWindow, _counter, publish, _context.Settings.RoundTimeout, cancellationToken);
    }
}
