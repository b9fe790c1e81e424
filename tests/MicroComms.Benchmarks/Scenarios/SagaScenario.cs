using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using MicroComms.Benchmarks.Infrastructure;
using MicroComms.Benchmarks.Scenarios.Saga;
using MicroComms.Gateway;
using MicroComms.Host;
using MicroComms.Inventory;
using MicroComms.Messaging;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Serialization;
using MicroComms.Messaging.Stores;
using MicroComms.Orders;
using MicroComms.Payments;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>
/// The whole order workflow as a customer drives it: POST /orders on the Gateway, then Orders (SubmitOrder, the
/// OrderStateMachine saga on the saga repository and outbox of <paramref name="store"/>), Inventory, Payments and
/// Notifications, each composed as the microcomms executable composes it and run as its own host, over RabbitMQ; with
/// <paramref name="instances"/> above one, that many hosts each of Orders, Inventory and Payments share their service's
/// PostgreSQL database as competing consumers. A workflow is done when the bench's subscriber receives the saga's
/// OrderCompleted (or OrderFaulted, which fails the round); a bounded number of workflows is in flight at once. The
/// services' telemetry (<c>MicroComms:Telemetry</c>) is off, or with <paramref name="telemetry"/> on as shipped, every
/// trace sampled, with exporters that discard (<see cref="BenchTelemetry"/>).
/// </summary>
public sealed class SagaScenario(
    string name = "saga", StoreKind store = StoreKind.Sqlite, int instances = 1, bool telemetry = false, SerializerKind serializer = SerializerKind.Json)
    : IScenario
{

    /// <summary>Every order buys one unit, so the seeded stock decides how many orders a run can complete.</summary>
    private const int UnitsPerOrder = 1;

    /// <summary>Far below Payments' decline limit, so every charge succeeds.</summary>
    private const decimal UnitPrice = 19.99m;

    private static readonly string[] Services = [ServiceNames.Orders, ServiceNames.Inventory, ServiceNames.Payments, ServiceNames.Notifications];

    /// <summary>The services that run as several instances; Notifications and the Gateway stay single.</summary>
    private static readonly string[] ScaledServices = [ServiceNames.Orders, ServiceNames.Inventory, ServiceNames.Payments];

    private readonly OrderOutcomes _outcomes = new();
    private BenchContext _context = null!;
    private ServiceHosts? _hosts;
    private HttpClient? _http;

    public string Name => name;

    public ScenarioFamily Family => ScenarioFamily.Workflow;

    public string Description => $"order workflow: POST /orders -> Orders saga ({store}) -> Inventory -> Payments -> OrderCompleted"
        + (instances > 1 ? $"; {instances} instances each of Orders, Inventory, Payments" : "")
        + (telemetry ? "; tracing (100% sampled) and metrics on" : "")
        + (serializer == SerializerKind.Json ? "" : $"; every service writes the {serializer} envelope");

    private string Variant => $"order workflow via Gateway, 5 services, {store}" + (instances > 1 ? $", {instances} instances" : "")
        + (telemetry ? ", tracing + metrics" : "") + (serializer == SerializerKind.Json ? "" : $", {serializer}");

    public async Task StartAsync(BenchContext context, CancellationToken cancellationToken)
    {
        _context = context;
        var settings = context.Settings;
        EnsureEnoughStock(settings.OrderWarmup + (settings.Rounds * settings.Orders));

        var vhost = await context.CreateVirtualHostAsync(Name);
        var storeSettings = store == StoreKind.Postgres
            ? await context.PostgresSettingsAsync(Name, ServiceDatabases.Names.Append(SchedulerOptions.ConnectionStringName), cancellationToken)
            : new Dictionary<string, string?>();
        storeSettings["MicroComms:Serializer"] = serializer.ToString();
        _hosts = new ServiceHosts(context.Node, vhost, storeSettings);
        // The subscriber first, so its queue is bound before the first workflow can finish.
        await _hosts.StartHostAsync((services, configuration) =>
        {
            services.AddSingleton(_outcomes);
            services.AddMicroComms(configuration, x => x.AddConsumer<OrderOutcomeConsumer>());
        }, cancellationToken);

        // Only complete workflows are measured: no transient provider failures, whose retries would be measured instead.
        var overrides = new Dictionary<string, string?>
        {
            [$"{PaymentsOptions.SectionName}:{nameof(PaymentsOptions.TransientFailureRate)}"] = "0",
            ["MicroComms:Telemetry:Enabled"] = telemetry ? "true" : "false",
            ["MicroComms:Telemetry:SamplingRatio"] = "1",
        };
        Action<IServiceCollection>? exporters = telemetry ? BenchTelemetry.AddExporters : null;
        foreach (var service in Services)
        {
            for (var i = 0; i < (ScaledServices.Contains(service) ? instances : 1); i++)
            {
                await _hosts.StartServiceAsync(service, overrides, cancellationToken, exporters);
            }
        }

        var gateway = await _hosts.StartServiceAsync(ServiceNames.Gateway, overrides, cancellationToken, exporters);
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = MicroCommsApp.HttpAddresses(gateway)[0] };

        await RunAsync(settings.OrderWarmup, cancellationToken);
    }

    public async Task<IReadOnlyList<Measurement>> MeasureRoundAsync(CancellationToken cancellationToken)
    {
        var orders = _context.Settings.Orders;
        var cpu = CpuMeter.Start();
        var elapsed = await RunAsync(orders, cancellationToken);
        var (processCpu, machineCpu) = cpu.Stop();
        var latencies = _outcomes.Latencies.Order().ToArray();
        return
        [
            new(Name, Variant, "end to end", "workflows/s", orders / elapsed.TotalSeconds, HigherIsBetter: true),
            new(Name, Variant, "p50 submit to completed", "ms", LatencyDriver.Milliseconds(LatencyDriver.Percentile(latencies, 0.50)), HigherIsBetter: false),
            new(Name, Variant, "p99 submit to completed", "ms", LatencyDriver.Milliseconds(LatencyDriver.Percentile(latencies, 0.99)), HigherIsBetter: false),
            new(Name, Variant, "CPU per workflow, services", "ms", processCpu / orders, HigherIsBetter: false),
            new(Name, Variant, "CPU per workflow, machine", "ms", machineCpu / orders, HigherIsBetter: false),
        ];
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_hosts is not null)
        {
            await _hosts.DisposeAsync();
        }

    }

    /// <summary>
    /// Runs <paramref name="orders"/> workflows with at most <c>--order-window</c> in flight: each submitter posts an
    /// order and waits for its outcome before the next, so the latency is one workflow's under that load and does not
    /// grow with the size of the round.
    /// </summary>
    private async Task<TimeSpan> RunAsync(int orders, CancellationToken cancellationToken)
    {
        var timeout = _context.Settings.RoundTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        _outcomes.Reset();
        var faults = new ConcurrentQueue<string>();
        var next = -1;
        var watch = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(_context.Settings.OrderWindow, orders)).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < orders)
                {
                    if (await RunWorkflowAsync(i, cts.Token) is { } fault)
                    {
                        faults.Enqueue(fault);
                    }
                }
            }));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{_outcomes.InFlight} of {orders} order workflows had not finished within {timeout}.");
        }

        var elapsed = watch.Elapsed;
        if (!faults.IsEmpty)
        {
            throw new InvalidOperationException(
                $"{faults.Count} of {orders} orders faulted, so the round measured no complete workflows; first: {faults.First()}");
        }

        return elapsed;
    }

    /// <summary>Places one order through the Gateway and waits for the saga's final event; the fault reason, or null.</summary>
    private async Task<string?> RunWorkflowAsync(int sequence, CancellationToken cancellationToken)
    {
        var catalogue = InventoryDbContext.SeedCatalogue;
        var orderId = Guid.CreateVersion7();
        var request = new PlaceOrderRequest(
            orderId,
            OrdersDbContext.SeedCustomers[sequence % OrdersDbContext.SeedCustomers.Count].Id,
            [new PlaceOrderLine(catalogue[sequence % catalogue.Count].Sku, UnitsPerOrder, UnitPrice)]);
        var outcome = _outcomes.Submitting(orderId);
        using (var response = await _http!.PostAsJsonAsync("orders", request, cancellationToken))
        {
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException(
                    $"POST /orders for {orderId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        var fault = await outcome.WaitAsync(cancellationToken);
        return fault is null ? null : $"{orderId}: {fault}";
    }

    private static void EnsureEnoughStock(int orders)
    {
        var catalogue = InventoryDbContext.SeedCatalogue;
        // Orders are spread evenly over the catalogue, so the SKU with the least stock runs out first.
        var perSku = (orders + catalogue.Count - 1) / catalogue.Count * UnitsPerOrder;
        var least = catalogue.Min(s => s.Available);
        if (perSku > least)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The saga scenario would take {perSku} units of each SKU but Inventory seeds {least}: use fewer --orders, --order-warmup or --rounds."));
        }
    }
}
