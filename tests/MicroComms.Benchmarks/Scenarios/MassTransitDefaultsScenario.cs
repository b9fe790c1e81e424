using MassTransit;
using MicroComms.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>Plain MassTransit 8.5 over RabbitMQ with every default: what a user gets without MicroComms.</summary>
public sealed class MassTransitDefaultsScenario : IScenario
{
    private readonly ConsumeCounter _counter = new();
    private BenchContext _context = null!;
    private IHost? _host;
    private IBus _bus = null!;

    public string Name => "masstransit-defaults";

    public ScenarioFamily Family => ScenarioFamily.Throughput;

    public string Description => "MassTransit 8.5.12 defaults, publish -> consume";

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        _context = context;
        var vhost = await context.CreateVirtualHostAsync(Name);
        var node = context.Node;
        _host = BenchHost.Build(new Dictionary<string, string?>(), (services, _) =>
        {
            services.AddSingleton(_counter);
            services.AddMassTransit(x =>
            {
                x.AddConsumer<CountingConsumer>();
                x.UsingRabbitMq((ctx, cfg) =>
                {
                    cfg.Host(node.Host, (ushort)node.Port, vhost, h =>
                    {
                        h.Username(node.Username);
                        h.Password(node.Password);
                    });
                    cfg.ConfigureEndpoints(ctx);
                });
            });
        });
        await _host.StartAsync(cancellationToken);
        _bus = _host.Services.GetRequiredService<IBus>();
        await RunAsync(context.Settings.Warmup, cancellationToken);
    }

    public async Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        var messages = _context.Settings.Messages;
        return ThroughputDriver.Rate(Name, "MassTransit defaults", messages, await RunAsync(messages, cancellationToken), _counter);
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
            (i, ct) => _bus.Publish(BenchMessage.Create(i), ct), _context.Settings.RoundTimeout, cancellationToken);
}
