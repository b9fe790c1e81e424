using System.Globalization;
using System.Text;
using MicroComms.Benchmarks.Scenarios;
using MicroComms.Benchmarks.Scenarios.RequestResponse;
using MicroComms.Messaging.Serialization;

namespace MicroComms.Benchmarks.Reporting;

/// <summary>The table of medians with min-max spread, the goals, the machine and the command, as markdown.</summary>
public static class MarkdownReport
{
    public static string Render(BenchSettings settings, MachineInfo machine, IReadOnlyList<SummaryRow> rows, IReadOnlyList<Goal> goals, DateTimeOffset when, string command)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv($"## MicroComms benchmark, {when:yyyy-MM-dd HH:mm} UTC"));
        md.AppendLine();
        md.AppendLine(Inv($"Machine: {machine}. Payload: {Infrastructure.BenchMessage.JsonSize} bytes of JSON; durable queues, persistent messages, publisher confirms, manual acks."));
        md.AppendLine(Inv($"Settings: {settings.Rounds} rounds, {settings.Messages:N0} messages per throughput round with {settings.PublishWindow} publishes in flight, {settings.Duration.TotalSeconds:0.#} s per latency variant, outbox steady rate {settings.SteadyRate:N0} msg/s for {settings.SteadyDuration.TotalSeconds:0.#} s, warm-up {settings.Warmup:N0}."));
        if (rows.Any(r => r.Scenario == "saga"))
        {
            md.AppendLine(Inv($"Saga: {settings.Orders:N0} orders per round with {settings.OrderWindow} workflows in flight, warm-up {settings.OrderWarmup:N0} orders; SQLite files in a temporary folder."));
        }

        if (rows.Any(r => r.Scenario.StartsWith(PeerOutboxScenario.NamePrefix, StringComparison.Ordinal)))
        {
            md.AppendLine(Inv($"Peer outbox: Wolverine {Infrastructure.WolverineVersion.Text}'s durable outbox and inbox through its EF Core integration (Solo mode, its defaults otherwise); SQLite in a temporary file with WAL and MicroComms' connection settings, PostgreSQL a fresh database on the benchmark's server."));
        }

        md.AppendLine();
        md.AppendLine(Inv($"Command: `{command}`"));
        md.AppendLine();
        md.AppendLine("| Scenario | Variant | Metric | Median | Min - max |");
        md.AppendLine("|---|---|---|---:|---:|");
        foreach (var r in rows)
        {
            md.AppendLine(Inv($"| {r.Scenario} | {r.Variant} | {r.Metric} | {Format(r.Median, r.Unit)} {r.Unit} | {Format(r.Min, r.Unit)} - {Format(r.Max, r.Unit)} |"));
        }

        md.AppendLine();
        md.AppendLine("| Goal | Ratio | Target | Met |");
        md.AppendLine("|---|---:|---|---|");
        foreach (var g in goals)
        {
            var met = g.Met switch { true => "yes", false => "**no**", null => "not run" };
            md.AppendLine(Inv($"| {g.Name} | {(g.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "-")} | {g.Condition} | {met} |"));
        }

        // How close MassTransit itself gets to the limit, beside how close MicroComms gets (the first goal).
        if (Goals.Rate(rows, "masstransit-tuned") is { } tuned && Goals.Rate(rows, "limit") is { } limit && Goals.Rate(rows, "microcomms") is { } microcomms)
        {
            md.AppendLine();
            md.AppendLine(Inv($"For reference (no goal): masstransit-tuned / limit {tuned / limit:0.00}, microcomms / masstransit-tuned {microcomms / tuned:0.00}."));
        }

        // The bound on issue 22's throughput goals: the same row with an envelope that costs nothing, beside the binary one.
        if (Goals.Rate(rows, "microcomms-free-envelope") is { } free && Goals.Rate(rows, "microcomms") is { } json && Goals.Rate(rows, "limit") is { } limitRate)
        {
            md.AppendLine();
            md.AppendLine(Inv($"For reference (no goal), the bound for any envelope format: microcomms-free-envelope / microcomms (JSON) {free / json:0.00} (goal for microcomms-binary: >= {Goals.BinaryOverJson:0.0#}), microcomms-free-envelope / limit {free / limitRate:0.00} (goal: >= {Goals.LimitShare:0.0#}); CPU per message in the bus's process, free envelope / JSON {Cpu(rows, "microcomms-free-envelope") / Cpu(rows, "microcomms"):0.00}."));
        }

        // Where a quorum queue on the cluster loses against a classic queue on one node: the queue type, the cluster, replication.
        if (Goals.Rate(rows, "microcomms") is { } classic && Goals.Rate(rows, "microcomms-quorum") is { } quorum
            && Goals.Rate(rows, "microcomms-cluster-classic") is { } clusterClassic && Goals.Rate(rows, "microcomms-cluster-quorum") is { } clusterQuorum)
        {
            md.AppendLine();
            md.AppendLine(Inv($"For reference (no goal): quorum / classic on 1 node {quorum / classic:0.00}, classic on 3 nodes / on 1 node {clusterClassic / classic:0.00}, quorum on 3 nodes / on 1 node {clusterQuorum / quorum:0.00}."));
        }

        // What asking Orders directly saves against the bus request, and the raw RPC beside it (the README's "which style" table).
        if (RequestFigure(rows, BusRequest, 1, "p50") is { } busP50 && RequestFigure(rows, BusRequest, 16, "throughput") is { } busRate)
        {
            string Against(string variant) =>
                RequestFigure(rows, variant, 1, "p50") is { } p50 && RequestFigure(rows, variant, 16, "throughput") is { } rate
                    ? Inv($"{variant} p50 {p50 / busP50:0.00}x, req/s {rate / busRate:0.00}x")
                    : Inv($"{variant} not run");
            md.AppendLine();
            md.AppendLine(Inv($"For reference (no goal), against the bus request (p50 at 1 caller, req/s at 16 callers): {Against(BusRequestVariant.NameFor(SerializerKind.MessagePack))}; {Against(RequestResponseScenario.DirectHttpVariant)}; {Against(DirectGrpcRequestVariant.VariantName)}; {Against(RawRequest)}."));
        }

        return md.ToString();
    }

    private static readonly string BusRequest = BusRequestVariant.NameFor(SerializerKind.Json);
    private const string RawRequest = "raw direct reply-to";

    private static double? RequestFigure(IReadOnlyList<SummaryRow> rows, string variant, int callers, string metric) =>
        rows.FirstOrDefault(r => r.Scenario == "request-response" && r.Variant == Inv($"{variant}, {callers} caller{(callers == 1 ? "" : "s")}") && r.Metric == metric)?.Median;

    private static double? Cpu(IReadOnlyList<SummaryRow> rows, string scenario) =>
        rows.FirstOrDefault(r => r.Scenario == scenario && r.Metric == Infrastructure.ThroughputDriver.CpuMetric)?.Median;

    private static double? Median(IReadOnlyList<SummaryRow> rows, string scenario, string variant) =>
        rows.FirstOrDefault(r => r.Scenario == scenario && r.Variant == variant && r.Metric == "end to end")?.Median;

    public static string Format(double value, string unit) =>
        unit == "ms" ? value.ToString(value < 10 ? "0.000" : "0.0", CultureInfo.InvariantCulture) : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
