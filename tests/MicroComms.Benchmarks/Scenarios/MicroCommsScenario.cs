using MassTransit;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>Publish -> consume through MicroComms.Messaging's AddMicroComms with its defaults, as a service would.</summary>
public sealed class MicroCommsScenario : IScenario
{
    private readonly ConsumeCounter _counter = new();
    private BenchContext _context = null!;
    private IHost? _host;
    private IBus _bus = null!;

    public string Name => "microcomms";

    public ScenarioFamily Family => ScenarioFamily.Throughput;

    public string Description => "AddMicroComms defaults, publish -> consume";

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        _context = context;
        var vhost = await context.CreateVirtualHostAsync(Name);
        _host = BenchHost.Build(context.Node.Settings(vhost), (services, configuration) =>
        {
            services.AddSingleton(_counter);
            services.AddMicroComms(configuration, x => x.AddConsumer<CountingConsumer>());
        });
        await _host.StartAsync(cancellationToken);
        _bus = _host.Services.GetRequiredService<IBus>();
        await RunAsync(context.Settings.Warmup, cancellationToken);
    }

    public async Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        var messages = _context.Settings.Messages;
        return ThroughputDriver.Rate(Name, "MicroComms defaults", messages, await RunAsync(messages, cancellationToken), _counter);
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
