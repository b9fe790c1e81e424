using MicroComms.Messaging;
using MicroComms.Messaging.Stores;

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
    public StoreKind Store { get; init; }

    /// <summary>Processes each of Orders, Inventory and Payments ran as.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>From the first order's moment to the last order's answer.</summary>
    public TimeSpan PlacingTime { get; init; }

    /// <summary>From the last answer until every order was final, every outbox empty and every notification written.</summary>
    public TimeSpan SettleTime { get; init; }

    /// <summary>The median Gateway answer as the client measured it (every attempt, retries included).</summary>
    public TimeSpan MedianAnswer { get; init; }

    /// <summary>Orders that faulted because their payment timeout fired.</summary>
    public int TimedOut { get; init; }

    /// <summary>Charges given back (payments that completed after their order had ended).</summary>
    public int Refunded { get; init; }

    /// <summary>Payment timeouts that came due while an instance was dead.</summary>
    public int TimeoutsDueWhileDead { get; init; }

    /// <summary>Of those, the ones Orders consumed (the rest were cancelled by a payment that came first).</summary>
    public int TimeoutsConsumed { get; init; }

    /// <summary>A timeout due while an instance was dead that was lost, consumed twice or left its order unfinished.</summary>
    public IReadOnlyList<string> TimeoutErrors { get; init; } = [];

    /// <summary>
    /// A final order whose recorded state changes (the console's timeline, written with the saga row) do not end in its
    /// state, or name a state twice: a change saved without its record, or a record saved twice.
    /// </summary>
    public IReadOnlyList<string> TransitionErrors { get; init; } = [];

    /// <summary>Messages left in the run's queues once every service stopped (error queues included), by queue.</summary>
    public IReadOnlyDictionary<string, int> Queued { get; init; } = new Dictionary<string, int>();

    /// <summary>Nodes of the run's broker.</summary>
    public int Brokers { get; init; } = 1;

    public QueueType QueueType { get; init; }

    public BrokerFault BrokerFault { get; init; }

    /// <summary>From the kill of a node (or the start of the killed majority) until the first order completed after it (goal: 10 s at most).</summary>
    public TimeSpan? Recovery { get; init; }

    /// <summary>From the same moment until the first order placed after it completed (it also waits for the orders queued before it).</summary>
    public TimeSpan? NewOrderRecovery { get; init; }

    /// <summary>The Gateway's answers while the broker fault lasted, by HTTP status (0: no answer).</summary>
    public IReadOnlyDictionary<int, int> DuringFault { get; init; } = new Dictionary<int, int>();

    /// <summary>Service processes that ended by themselves during the run.</summary>
    public IReadOnlyList<string> ServiceExits { get; init; } = [];

    public bool Passed =>
        ServiceExits.Count == 0 && Unanswered == 0 && Stuck.Count == 0 && PendingOutbox.Values.All(n => n == 0) && SetAsideOutbox.Values.All(n => n == 0)
        && StockErrors.Count == 0 && ChargeErrors.Count == 0 && NotificationErrors.Count == 0 && TimeoutErrors.Count == 0
        && TransitionErrors.Count == 0 && Queued.Count == 0;

    /// <summary>One line per check, for a log or an assertion message.</summary>
    public override string ToString() => string.Join(Environment.NewLine, new[]
    {
        $"{Store}, {Instances} instance(s) each of Orders, Inventory and Payments; placing {PlacingTime.TotalSeconds:F0} s, settling {SettleTime.TotalSeconds:F0} s",
        $"broker: {Brokers} node(s), {QueueType} queues, fault {BrokerFault}; recovery {Seconds(Recovery)} (first order placed after it completed {Seconds(NewOrderRecovery)}); answers during the fault {DescribeAnswers(DuringFault)}; services that ended by themselves: {(ServiceExits.Count == 0 ? "none" : string.Join(", ", ServiceExits))}",
        $"orders {Orders}, accepted {Accepted}, unanswered {Unanswered}, completed {Completed}, faulted {Faulted} ({TimedOut} by payment timeout, {Refunded} late payments refunded), stuck {Stuck.Count}",
        $"payment timeouts due while an instance was dead: {TimeoutsDueWhileDead}, fired (consumed once) {TimeoutsConsumed}, cancelled by the payment {TimeoutsDueWhileDead - TimeoutsConsumed}; {(TimeoutErrors.Count == 0 ? "no errors" : string.Join("; ", TimeoutErrors.Take(10)))}",
        $"pending outbox rows: {string.Join(", ", PendingOutbox.Select(p => $"{p.Key} {p.Value}"))}",
        $"set-aside outbox rows: {string.Join(", ", SetAsideOutbox.Select(p => $"{p.Key} {p.Value}"))}",
        $"messages left in queues: {(Queued.Count == 0 ? "none" : string.Join(", ", Queued.Select(q => $"{q.Key} {q.Value}")))}",
        $"Gateway answers: median {MedianAnswer.TotalSeconds:F2} s, slowest {SlowestAnswer.TotalSeconds:F1} s; {AnswersOverBound} over the Gateway's bound",
        $"stock: {(StockErrors.Count == 0 ? "exact" : string.Join("; ", StockErrors))}",
        $"charges: {(ChargeErrors.Count == 0 ? "exact" : string.Join("; ", ChargeErrors.Take(10)))}",
        $"notifications: {(NotificationErrors.Count == 0 ? "one per final order" : string.Join("; ", NotificationErrors.Take(10)))}",
        $"state changes recorded: {(TransitionErrors.Count == 0 ? "each once, ending in the order's state" : string.Join("; ", TransitionErrors.Take(10)))}",
        $"stuck: {string.Join(", ", Stuck.Take(10))}",
        $"events: {string.Join("; ", Events)}",
        $"data and process logs: {DataDirectory}",
    });

    /// <summary><c>202: 40, 504: 12</c>, or a dash.</summary>
    public static string DescribeAnswers(IReadOnlyDictionary<int, int> answers) =>
        answers.Count == 0 ? "-" : string.Join(", ", answers.Select(a => $"{(a.Key == 0 ? "none" : a.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}: {a.Value}"));

    private static string Seconds(TimeSpan? time) => time is { } t ? $"{t.TotalSeconds:F1} s" : "-";
}
