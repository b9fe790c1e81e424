using MicroComms.Benchmarks.Scenarios;

namespace MicroComms.Benchmarks.Reporting;

/// <summary>The goals, evaluated on the medians of one run. A goal whose figures were not measured shows as not run.</summary>
public static class Goals
{
    public const double LimitShare = 0.7;
    public const double MaxRequestLatencyFactor = 1.5;
    public const double OutboxShare = 0.5;

    /// <summary>Tracing (every trace sampled) and metrics may cost at most a tenth of the throughput (issue 20).</summary>
    public const double TelemetryShare = 0.9;

    /// <summary>A quorum queue on three nodes against a classic queue on one (issue 19): replication may cost at most half.</summary>
    public const double QuorumClusterShare = 0.5;

    /// <summary>Two instances of each service on these two cores may lose at most this much against one.</summary>
    public const double ScaleOutShare = 0.9;

    /// <summary>The binary envelope against the JSON one (issue 22): throughput, bytes per message, request latency.</summary>
    public const double BinaryOverJson = 1.3;

    public const double MaxBinaryBodyShare = 0.35;

    public const double MaxBinaryRequestLatencyFactor = 1.3;

    /// <summary>How much later than a direct publish a bus-outbox message may arrive (p99, at the steady rate).</summary>
    public const double MaxOutboxExtraP99Milliseconds = 20;

    public static IReadOnlyList<Goal> Evaluate(IReadOnlyList<SummaryRow> rows)
    {
        var microcomms = Rate(rows, "microcomms");
        var quorumCluster = Rate(rows, "microcomms-cluster-quorum");
        var limit = Rate(rows, "limit");
        var masstransit = Rate(rows, "masstransit-defaults");
        var wolverine = Rate(rows, "peer");
        var busP50 = P50(rows, "MicroComms IRequestClient, 1 caller");
        var rawP50 = P50(rows, "raw direct reply-to, 1 caller");
        var direct = Outbox(rows, OutboxScenario.DirectVariant, "end to end");
        var busOutbox = Outbox(rows, OutboxScenario.BusOutboxVariant, "end to end");
        var relay = Outbox(rows, OutboxScenario.RelayVariant, "end to end");
        var consumerOutbox = Outbox(rows, OutboxScenario.ConsumerOutboxVariant, "end to end");
        var directP99 = Outbox(rows, OutboxScenario.SteadyVariant(OutboxScenario.DirectVariant), "commit to consume p99");
        var busOutboxP99 = Outbox(rows, OutboxScenario.SteadyVariant(OutboxScenario.BusOutboxVariant), "commit to consume p99");
        var pgDirect = Outbox(rows, OutboxScenario.DirectVariant, "end to end", "outbox-postgres");
        var pgBusOutbox = Outbox(rows, OutboxScenario.BusOutboxVariant, "end to end", "outbox-postgres");
        var pgRelay = Outbox(rows, OutboxScenario.RelayVariant, "end to end", "outbox-postgres");
        var pgConsumerOutbox = Outbox(rows, OutboxScenario.ConsumerOutboxVariant, "end to end", "outbox-postgres");
        var peerSqlite = PeerOutboxScenario.NamePrefix + "sqlite";
        var peerPostgres = PeerOutboxScenario.NamePrefix + "postgres";
        var peerSqliteBus = Outbox(rows, PeerOutboxScenario.BusOutboxVariant, "end to end", peerSqlite);
        var peerSqliteConsumer = Outbox(rows, PeerOutboxScenario.ConsumerOutboxVariant, "end to end", peerSqlite);
        var peerPostgresBus = Outbox(rows, PeerOutboxScenario.BusOutboxVariant, "end to end", peerPostgres);
        var peerPostgresConsumer = Outbox(rows, PeerOutboxScenario.ConsumerOutboxVariant, "end to end", peerPostgres);
        var microcommsTraced = Rate(rows, "microcomms-telemetry");
        var binary = Rate(rows, "microcomms-binary");
        var jsonBody = Body(rows, "microcomms");
        var binaryBody = Body(rows, "microcomms-binary");
        var binaryP50 = P50(rows, "MicroComms IRequestClient, MessagePack, 1 caller");
        var sagaSqlite = Workflows(rows, "saga");
        var sagaTraced = Workflows(rows, "saga-telemetry");
        var sagaPostgres = Workflows(rows, "saga-postgres");
        var sagaPostgresTwice = Workflows(rows, "saga-postgres-2x");
        return
        [
            AtLeast("microcomms / limit", "microcomms", "limit", microcomms, limit, LimitShare),
            AtLeast("microcomms / masstransit-defaults", "microcomms", "masstransit-defaults", microcomms, masstransit, 1.0),
            AtLeast("microcomms / peer (Wolverine)", "microcomms", "peer", microcomms, wolverine, 1.0, strictly: true),
            AtLeast("microcomms: quorum queue on 3 nodes / classic queue on 1 node", "microcomms-cluster-quorum", "microcomms", quorumCluster, microcomms, QuorumClusterShare),
            AtMost("bus request p50 / raw direct reply-to p50 (1 caller)", "bus p50", "raw p50", busP50, rawP50, MaxRequestLatencyFactor),
            AtLeast("outbox: bus outbox / direct publish (end to end)", "bus outbox", "direct publish", busOutbox, direct, OutboxShare),
            AtLeast("outbox: consumer outbox / consumer, direct publish (end to end)", "consumer outbox", "consumer, direct publish", consumerOutbox, relay, OutboxShare),
            new Goal(
                "outbox: bus outbox p99 - direct publish p99 at the steady rate (ms)",
                "bus outbox p99",
                "direct publish p99",
                busOutboxP99 - directP99,
                $"<= +{MaxOutboxExtraP99Milliseconds:0} ms",
                busOutboxP99 - directP99 is { } extra ? extra <= MaxOutboxExtraP99Milliseconds : null),
            AtLeast("outbox on PostgreSQL: bus outbox / direct publish (end to end)", "bus outbox", "direct publish", pgBusOutbox, pgDirect, OutboxShare),
            AtLeast("outbox on PostgreSQL: consumer outbox / consumer, direct publish (end to end)", "consumer outbox", "consumer, direct publish", pgConsumerOutbox, pgRelay, OutboxShare),
            AtLeast("outbox on SQLite: bus outbox / Wolverine's (end to end)", "bus outbox", "Wolverine", busOutbox, peerSqliteBus, 1.0, strictly: true),
            AtLeast("outbox on SQLite: consumer outbox / Wolverine's (end to end)", "consumer outbox", "Wolverine", consumerOutbox, peerSqliteConsumer, 1.0, strictly: true),
            AtLeast("outbox on PostgreSQL: bus outbox / Wolverine's (end to end)", "bus outbox", "Wolverine", pgBusOutbox, peerPostgresBus, 1.0, strictly: true),
            AtLeast("outbox on PostgreSQL: consumer outbox / Wolverine's (end to end)", "consumer outbox", "Wolverine", pgConsumerOutbox, peerPostgresConsumer, 1.0, strictly: true),
            AtLeast("microcomms-binary / limit", "microcomms-binary", "limit", binary, limit, LimitShare),
            AtLeast("microcomms-binary / microcomms (JSON)", "microcomms-binary", "microcomms", binary, microcomms, BinaryOverJson),
            AtMost("body on the wire: microcomms-binary / microcomms (JSON)", "binary bytes", "JSON bytes", binaryBody, jsonBody, MaxBinaryBodyShare),
            AtMost("bus request p50, MessagePack / raw direct reply-to p50 (1 caller)", "bus p50", "raw p50", binaryP50, rawP50, MaxBinaryRequestLatencyFactor),
            AtLeast("microcomms: tracing + metrics on / off", "microcomms-telemetry", "microcomms", microcommsTraced, microcomms, TelemetryShare),
            AtLeast("saga: tracing + metrics on / off (workflows/s)", "saga-telemetry", "saga", sagaTraced, sagaSqlite, TelemetryShare),
            AtLeast("saga: PostgreSQL / SQLite (workflows/s)", "saga-postgres", "saga", sagaPostgres, sagaSqlite, 1.0),
            AtLeast("saga: 2 instances / 1 instance of each service (PostgreSQL)", "saga-postgres-2x", "saga-postgres", sagaPostgresTwice, sagaPostgres, ScaleOutShare),
        ];
    }

    private static Goal AtLeast(string name, string numerator, string denominator, double? a, double? b, double floor, bool strictly = false)
    {
        var ratio = a / b;
        return new Goal(name, numerator, denominator, ratio, $"{(strictly ? ">" : ">=")} {floor:0.0#}",
            ratio is null ? null : strictly ? ratio > floor : ratio >= floor);
    }

    private static Goal AtMost(string name, string numerator, string denominator, double? a, double? b, double ceiling)
    {
        var ratio = a / b;
        return new Goal(name, numerator, denominator, ratio, $"<= {ceiling:0.0#}", ratio is null ? null : ratio <= ceiling);
    }

    /// <summary>The median throughput of a scenario's (first) msg/s row, or null when it did not run.</summary>
    public static double? Rate(IReadOnlyList<SummaryRow> rows, string scenario) =>
        rows.FirstOrDefault(r => r.Scenario == scenario && r.Unit == "msg/s")?.Median;

    private static double? Body(IReadOnlyList<SummaryRow> rows, string scenario) =>
        rows.FirstOrDefault(r => r.Scenario == scenario && r.Metric == "body on the wire")?.Median;

    private static double? Workflows(IReadOnlyList<SummaryRow> rows, string scenario) =>
        rows.FirstOrDefault(r => r.Scenario == scenario && r.Unit == "workflows/s")?.Median;

    private static double? Outbox(IReadOnlyList<SummaryRow> rows, string variant, string metric, string scenario = "outbox") =>
        rows.FirstOrDefault(r => r.Scenario == scenario && r.Variant == variant && r.Metric == metric)?.Median;

    private static double? P50(IReadOnlyList<SummaryRow> rows, string variant) =>
        rows.FirstOrDefault(r => r.Scenario == "request-response" && r.Variant == variant && r.Metric == "p50")?.Median;
}
