namespace MicroComms.Host.Crash;

/// <summary>What a crash run found. <see cref="Passed"/> holds when nothing was lost, stranded or applied twice.</summary>
public sealed record CrashReport(
    int Orders,
    int Accepted,
    int Unanswered,
    int Completed,
    int Faulted,
    IReadOnlyList<Guid> Stuck,
    IReadOnlyDictionary<string, int> PendingOutbox,
    IReadOnlyDictionary<string, int> SetAsideOutbox,
    IReadOnlyList<string> StockErrors,
    IReadOnlyList<string> ChargeErrors,
    IReadOnlyList<string> NotificationErrors,
    TimeSpan SlowestAnswer,
    int AnswersOverBound,
    IReadOnlyList<string> Events,
    string DataDirectory)
{
    public bool Passed =>
        Unanswered == 0 && Stuck.Count == 0 && PendingOutbox.Values.All(n => n == 0) && SetAsideOutbox.Values.All(n => n == 0)
        && StockErrors.Count == 0 && ChargeErrors.Count == 0 && NotificationErrors.Count == 0;

    /// <summary>One line per check, for a log or an assertion message.</summary>
    public override string ToString() => string.Join(Environment.NewLine, new[]
    {
        $"orders {Orders}, accepted {Accepted}, unanswered {Unanswered}, completed {Completed}, faulted {Faulted}, stuck {Stuck.Count}",
        $"pending outbox rows: {string.Join(", ", PendingOutbox.Select(p => $"{p.Key} {p.Value}"))}",
        $"set-aside outbox rows: {string.Join(", ", SetAsideOutbox.Select(p => $"{p.Key} {p.Value}"))}",
        $"slowest Gateway answer: {SlowestAnswer.TotalSeconds:F1} s; {AnswersOverBound} over the Gateway's bound",
        $"stock: {(StockErrors.Count == 0 ? "exact" : string.Join("; ", StockErrors))}",
        $"charges: {(ChargeErrors.Count == 0 ? "exact" : string.Join("; ", ChargeErrors.Take(10)))}",
        $"notifications: {(NotificationErrors.Count == 0 ? "one per final order" : string.Join("; ", NotificationErrors.Take(10)))}",
        $"stuck: {string.Join(", ", Stuck.Take(10))}",
        $"events: {string.Join("; ", Events)}",
        $"data and process logs: {DataDirectory}",
    });
}
