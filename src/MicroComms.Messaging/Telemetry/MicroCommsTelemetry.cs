using System.Diagnostics;
using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MicroComms.Messaging.Telemetry;

/// <summary>
/// What a process exports about MicroComms: MassTransit's activity source and meter, ours beside them (spans of the
/// outbox's delivery service and the scheduler, the store gauges and counters) and EF Core's commands on either store.
/// The Host adds these to its OpenTelemetry providers; a service team composing its own host calls them the same way.
/// </summary>
public static class MicroCommsTelemetry
{
    /// <summary>The activity source of MicroComms' own spans (a stored message sent by a background service).</summary>
    public const string ActivitySourceName = "MicroComms";

    /// <summary>The meter of MicroComms' own instruments (<c>microcomms.*</c>).</summary>
    public const string MeterName = "MicroComms";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>
    /// MassTransit's and MicroComms' spans and the stores' commands, those run for a request or a message: the outbox's
    /// and the scheduler's polls, lease renewals and gauge queries run on timers, outside any trace, and each of their
    /// statements would otherwise be a trace of its own every second.
    /// </summary>
    public static TracerProviderBuilder AddMicroCommsInstrumentation(this TracerProviderBuilder tracing) =>
        tracing
            .AddSource(DiagnosticHeaders.DefaultListenerName, ActivitySourceName)
            .AddEntityFrameworkCoreInstrumentation(o => o.Filter = (_, _) => ServesARequestOrMessage());

    /// <summary>The EF Core instrumentation's own source: its span may be current when it asks whether to record it.</summary>
    private const string EntityFrameworkSourceName = "OpenTelemetry.Instrumentation.EntityFrameworkCore";

    /// <summary>Whether the statement about to run has a span to belong to (a request's, a message's), and is not a root.</summary>
    private static bool ServesARequestOrMessage() => Activity.Current switch
    {
        null => false,
        { Source.Name: EntityFrameworkSourceName } statement => statement.ParentSpanId != default,
        _ => true,
    };

    /// <summary>
    /// MassTransit's meter and MicroComms': outbox, inbox, scheduler, group commit and saga instruments of the stores
    /// this process registered. The gauges query their store once per collection, so only when scraped or exported.
    /// </summary>
    public static MeterProviderBuilder AddMicroCommsInstrumentation(this MeterProviderBuilder metrics) =>
        metrics
            .AddMeter(InstrumentationOptions.MeterName, MeterName)
            .AddInstrumentation(provider => provider.GetRequiredService<MicroCommsMetrics>());
}
