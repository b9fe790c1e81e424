using System.CommandLine;
using System.Globalization;
using MicroComms.Messaging;
using MicroComms.Messaging.Stores;
using Spectre.Console;

namespace MicroComms.Host.Crash;

/// <summary>
/// <c>microcomms crash</c>: the full-size crash run (<see cref="CrashRun"/>) against a private RabbitMQ node started from
/// the repository's rabbitmq/ scripts, on SQLite or PostgreSQL, each of Orders, Inventory and Payments as one or several
/// processes. Exits 0 when every check passed, 1 otherwise.
/// </summary>
public static class CrashCommand
{
    public static Command Create()
    {
        var defaults = new CrashRunOptions();
        var orders = new Option<int>("--orders") { Description = "Orders to place.", DefaultValueFactory = _ => defaults.Orders };
        var rate = new Option<int>("--rate") { Description = "Orders per second, all clients together.", DefaultValueFactory = _ => defaults.Rate };
        var clients = new Option<int>("--clients") { Description = "HTTP clients placing orders at once.", DefaultValueFactory = _ => defaults.Clients };
        var seed = new Option<int?>("--seed") { Description = "Seed of the orders and of the kill moments (default: random, printed)." };
        var crashAfterCommit = new Option<int?>("--crash-after-commit")
        {
            Description = "Also make Orders kill itself right after its Nth SubmitOrder commit, before its sends.",
        };
        var brokerPort = new Option<int>("--broker-port")
        {
            Description = "AMQP port of the private node the run starts, stops and starts again.",
            DefaultValueFactory = _ => defaults.BrokerPort,
        };
        var rabbitmqDir = new Option<string?>("--rabbitmq-dir") { Description = "The repository's rabbitmq/ folder (default: found above the working folder)." };
        var settle = new Option<int>("--settle-timeout")
        {
            Description = "Seconds the system has, after the last order, to settle.",
            DefaultValueFactory = _ => (int)defaults.SettleTimeout.TotalSeconds,
        };

        var store = new Option<string>("--store")
        {
            Description = "Where the services keep their data: sqlite (a file per process) or postgres (a database per service).",
            DefaultValueFactory = _ => "sqlite",
        };
        store.AcceptOnlyFromAmong("sqlite", "postgres");
        var instances = new Option<int>("--instances")
        {
            Description = "Processes each of Orders, Inventory and Payments runs as (more than 1 needs --store postgres).",
            DefaultValueFactory = _ => defaults.Instances,
        };
        var postgres = new Option<string?>("--postgres")
        {
            Description = "With --store postgres: a connection string to a server where the run may create databases "
                + "(default: MICROCOMMS_POSTGRES, else a private cluster from the machine's PostgreSQL in the run's folder).",
        };

        var brokers = new Option<int>("--brokers")
        {
            Description = "Broker nodes: 1, or a cluster (3) from rabbitmq/start.sh --cluster on --broker-port and the ports after it.",
            DefaultValueFactory = _ => defaults.Brokers,
        };
        var brokerFault = new Option<string?>("--broker-fault")
        {
            Description = "What happens to the broker: restart (one node; the default there), kill-leader (the default on a cluster), rolling-restart, no-majority.",
        };
        brokerFault.AcceptOnlyFromAmong("restart", "kill-leader", "rolling-restart", "no-majority");
        var queueType = new Option<string?>("--queue-type")
        {
            Description = "The services' queue type: quorum (the default on a cluster) or classic (one node's default; on a cluster, the proof with its mechanism off).",
        };
        queueType.AcceptOnlyFromAmong("classic", "quorum");
        var serviceKills = new Option<bool?>("--service-kills")
        {
            Description = "Also kill -9 Orders, Payments and Inventory (default: true on one node, false on a cluster).",
        };
        var nodeDown = new Option<int>("--node-down")
        {
            Description = "Seconds a killed node (kill-leader) or the killed majority (no-majority) stays down.",
            DefaultValueFactory = _ => (int)defaults.NodeDownTime.TotalSeconds,
        };

        var messagePack = new Option<string[]>("--messagepack")
        {
            Description = "Services whose processes write the MessagePack envelope; the rest write JSON, as a fleet halfway through its switch.",
            AllowMultipleArgumentsPerToken = true,
        };
        messagePack.AcceptOnlyFromAmong([.. ServiceNames.All]);

        var command = new Command("crash", "Run the services as separate processes, kill -9 Orders, Payments and Inventory and restart the broker (or, with --brokers 3, kill a cluster node, restart every node in turn or take the majority away) while orders flow, then check that nothing was lost, stranded or applied twice.")
        {
            orders, rate, clients, seed, crashAfterCommit, brokerPort, rabbitmqDir, settle, store, instances, postgres,
            brokers, brokerFault, queueType, serviceKills, nodeDown, messagePack,
        };
        command.SetAction(MicroCommsCommands.Guarded(async (parse, ct) =>
        {
            var options = new CrashRunOptions
            {
                Orders = parse.GetValue(orders),
                Rate = parse.GetValue(rate),
                Clients = parse.GetValue(clients),
                Seed = parse.GetValue(seed) ?? Random.Shared.Next(),
                CrashOrdersAfterCommit = parse.GetValue(crashAfterCommit),
                BrokerPort = parse.GetValue(brokerPort),
                RabbitMqDirectory = parse.GetValue(rabbitmqDir),
                SettleTimeout = TimeSpan.FromSeconds(parse.GetValue(settle)),
                Store = parse.GetValue(store) == "postgres" ? StoreKind.Postgres : StoreKind.Sqlite,
                Instances = parse.GetValue(instances),
                PostgresConnectionString = parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("MICROCOMMS_POSTGRES"),
                Brokers = parse.GetValue(brokers),
                BrokerFault = parse.GetValue(brokerFault) switch
                {
                    "kill-leader" => BrokerFault.KillLeader,
                    "rolling-restart" => BrokerFault.RollingRestart,
                    "no-majority" => BrokerFault.NoMajority,
                    "restart" => BrokerFault.Restart,
                    _ => parse.GetValue(brokers) > 1 ? BrokerFault.KillLeader : BrokerFault.Restart,
                },
                QueueType = parse.GetValue(queueType) switch
                {
                    "classic" => QueueType.Classic,
                    "quorum" => QueueType.Quorum,
                    _ => null,
                },
                KillServices = parse.GetValue(serviceKills),
                NodeDownTime = TimeSpan.FromSeconds(parse.GetValue(nodeDown)),
                MessagePackServices = parse.GetValue(messagePack) ?? [],
            };
            var report = await CrashRun.RunAsync(options, line => AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[grey]{DateTime.Now:HH:mm:ss}[/] {line}"), ct);
            Print(report);
            return report.Passed ? 0 : 1;
        }));
        return command;
    }

    private static void Print(CrashReport report)
    {
        static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        var table = new Table().Title("Crash run").AddColumn("Check").AddColumn("Found").AddColumn("Verdict");
        table.AddRow("store, instances of Orders / Inventory / Payments", $"{report.Store}, {N(report.Instances)}", "");
        table.AddRow("broker: nodes, queues, fault", $"{N(report.Brokers)}, {report.QueueType}, {report.BrokerFault}", "");
        if (report.Recovery is { } recovery)
        {
            table.AddRow("recovery: kill (or restart of the majority) to the first order completed after it (goal 10 s)", $"{recovery.TotalSeconds:F1} s", "");
            table.AddRow("... to the first order placed after it completed", report.NewOrderRecovery is { } order ? $"{order.TotalSeconds:F1} s" : "-", "");
        }

        if (report.DuringFault.Count > 0)
        {
            table.AddRow("Gateway answers while the fault lasted, by status", Markup.Escape(CrashReport.DescribeAnswers(report.DuringFault)), "");
        }

        table.AddRow("services that ended by themselves", Markup.Escape(report.ServiceExits.Count == 0 ? "none" : string.Join(", ", report.ServiceExits)), Verdict(report.ServiceExits.Count == 0));
        table.AddRow("placing / settling", $"{report.PlacingTime.TotalSeconds:F0} s / {report.SettleTime.TotalSeconds:F0} s", "");
        table.AddRow("orders placed / accepted (202)", $"{N(report.Orders)} / {N(report.Accepted)}", "");
        table.AddRow("unanswered after retries", N(report.Unanswered), Verdict(report.Unanswered == 0));
        table.AddRow("completed / faulted (by payment timeout) / late payments refunded", $"{N(report.Completed)} / {N(report.Faulted)} ({N(report.TimedOut)}) / {N(report.Refunded)}", "");
        table.AddRow("accepted but not final (stuck)", N(report.Stuck.Count), Verdict(report.Stuck.Count == 0));
        table.AddRow("outbox rows pending", string.Join(", ", report.PendingOutbox.Select(p => $"{p.Key} {p.Value}")), Verdict(report.PendingOutbox.Values.All(n => n == 0)));
        table.AddRow("outbox rows set aside", string.Join(", ", report.SetAsideOutbox.Select(p => $"{p.Key} {p.Value}")), Verdict(report.SetAsideOutbox.Values.All(n => n == 0)));
        table.AddRow(
            "state changes recorded with each final order",
            Markup.Escape(report.TransitionErrors.Count == 0 ? "each once, ending in its state" : string.Join("; ", report.TransitionErrors.Take(5))),
            Verdict(report.TransitionErrors.Count == 0));
        table.AddRow(
            "messages left in queues (error queues included)",
            Markup.Escape(report.Queued.Count == 0 ? "none" : string.Join(", ", report.Queued.Select(q => $"{q.Key} {q.Value}"))),
            Verdict(report.Queued.Count == 0));
        table.AddRow("stock", Markup.Escape(report.StockErrors.Count == 0 ? "exact" : string.Join("; ", report.StockErrors)), Verdict(report.StockErrors.Count == 0));
        table.AddRow("charges", Markup.Escape(report.ChargeErrors.Count == 0 ? "one per completed order" : string.Join("; ", report.ChargeErrors.Take(5))), Verdict(report.ChargeErrors.Count == 0));
        table.AddRow("notifications", Markup.Escape(report.NotificationErrors.Count == 0 ? "one per final order" : string.Join("; ", report.NotificationErrors.Take(5))), Verdict(report.NotificationErrors.Count == 0));
        table.AddRow(
            "payment timeouts due while an instance was dead: fired (consumed once) / cancelled by the payment",
            Markup.Escape($"{N(report.TimeoutsDueWhileDead)}: {N(report.TimeoutsConsumed)} / {N(report.TimeoutsDueWhileDead - report.TimeoutsConsumed)}" + (report.TimeoutErrors.Count == 0 ? "" : "; " + string.Join("; ", report.TimeoutErrors.Take(5)))),
            Verdict(report.TimeoutErrors.Count == 0));
        table.AddRow(
            "Gateway answers (at the client)",
            $"median {report.MedianAnswer.TotalSeconds:F2} s, slowest {report.SlowestAnswer.TotalSeconds:F1} s; {N(report.AnswersOverBound)} over the Gateway's bound",
            "");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"Data and process logs: {report.DataDirectory}");
    }

    private static string Verdict(bool ok) => ok ? "[green]ok[/]" : "[red]FAILED[/]";
}
