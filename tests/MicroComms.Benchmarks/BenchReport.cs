using MicroComms.Benchmarks.Reporting;

namespace MicroComms.Benchmarks;

public sealed record BenchReport(MachineInfo Machine, IReadOnlyList<SummaryRow> Rows, IReadOnlyList<Goal> Goals, string Markdown);
