using MicroComms.Benchmarks.Infrastructure;
using Wolverine;
using Wolverine.RabbitMQ;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// The peer a user would pick instead: WolverineFx.RabbitMQ publish -> consume with the same durability as the
/// other rows. Its defaults are weaker (no publisher confirms, non-persistent messages), so both are switched on here.
/// </summary>
public sealed class PeerWolverineScenario : IScenario
{
    private const string Queue = "bench-wolverine";

    private readonly ConsumeCounter _counter = new();
    private BenchContext _context = null!;
    private IHost? _host;
    private IMessageBus _bus = null!;

    public string Name => "peer";

    public ScenarioFamily Family => ScenarioFamily.Throughput;

    public string Description => $"WolverineFx.RabbitMQ {WolverineVersion.Text}: durable queue, persistent, confirms on";

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        _context = context;
        var vhost = await context.CreateVirtualHostAsync(Name);
        var uri = context.AmqpUri(vhost);
        _host = BenchHost.Build(new Dictionary<string, string?>(), (services, _) =>
        {
            services.AddSingleton(_counter);
            services.AddWolverine(opts =>
            {
                opts.Discovery.DisableConventionalDiscovery().IncludeType<WolverineCountingHandler>();
                opts.UseRabbitMq(uri)
                    .AutoProvision()
                    .ConfigureChannelCreation(o =>
                    {
                        o.PublisherConfirmationsEnabled = true;
                        o.PublisherConfirmationTrackingEnabled = true;
                    });
                // A durable sending endpoint is what makes Wolverine mark messages persistent (delivery mode 2).
                opts.PublishMessage<BenchMessage>().ToRabbitQueue(Queue).UseDurableOutbox();
                opts.ListenToRabbitQueue(Queue);
            });
        });
        await _host.StartAsync(cancellationToken);
        _bus = _host.Services.GetRequiredService<IMessageBus>();
        await RunAsync(context.Settings.Warmup, cancellationToken);
    }

    public async Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        var messages = _context.Settings.Messages;
        return await ThroughputDriver.MeasureAsync(Name, $"Wolverine {WolverineVersion.Text} (confirms, persistent)", messages, _counter, RunAsync, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    private Task<TimeSpan> RunAsync(int messages, CancellationToken cancellationToken) =>
        ThroughputDriver.RunAsync(messages, _context.Settings.PublishWindow, _counter,
            async (i, _) => await _bus.PublishAsync(BenchMessage.Create(i)), _context.Settings.RoundTimeout, cancellationToken);
}
