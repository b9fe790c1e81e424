using System.CommandLine;
using System.Globalization;
using MicroComms.Host.Errors;
using MicroComms.Messaging.BusOutbox;
using Spectre.Console;

namespace MicroComms.Host.Outbox;

/// <summary>
/// <c>outbox list | show | replay | purge</c>: operator commands over the outbox tables of the services' SQLite
/// databases (found as the services find them: <c>--data</c>, <c>MicroComms:Host:DataDirectory</c>,
/// <c>ConnectionStrings:&lt;Service&gt;</c>). They work while the services run. Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class OutboxCommand
{
    private const int DefaultShowCount = 20;

    public static Command Create(IConfiguration configuration)
    {
        var command = new Command("outbox", "Inspect, replay and purge outgoing messages set aside in the services' outboxes.");
        command.Subcommands.Add(List(configuration));
        command.Subcommands.Add(Show(configuration));
        command.Subcommands.Add(Replay(configuration));
        command.Subcommands.Add(Purge(configuration));
        return command;
    }

    private static Command List(IConfiguration configuration)
    {
        var service = ServiceOption();
        var json = OperatorJson.Option();
        var list = new Command("list", "Per service database: messages waiting to be sent, messages set aside, age of the oldest waiting one.") { service, json };
        list.SetAction((parse, ct) => RunAsync(parse, configuration, service, async (databases, console) =>
        {
            if (parse.GetValue(json))
            {
                var now = DateTime.UtcNow;
                var reports = new List<DatabaseReport>();
                foreach (var database in databases)
                {
                    var summary = database.Exists ? await WithMaintenance(database, m => m.SummarizeAsync(ct)) : null;
                    var oldest = summary?.OldestPending is { } o ? OperatorJson.Utc(o) : (DateTime?)null;
                    reports.Add(new DatabaseReport(
                        database.Name, database.Location, database.Exists, summary?.Pending, summary?.SetAside, oldest,
                        oldest is { } t ? Math.Round(Math.Max(0, (now - t).TotalSeconds), 1) : null));
                }

                OperatorJson.Write(parse, new ListReport(reports));
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumn("Service").AddColumn("Database")
                .AddColumn(new TableColumn("Pending").RightAligned())
                .AddColumn(new TableColumn("Set aside").RightAligned())
                .AddColumn(new TableColumn("Oldest pending").RightAligned());
            foreach (var database in databases)
            {
                if (!database.Exists)
                {
                    table.AddRow(database.Name, Markup.Escape(database.Location), "-", "-", "no database");
                    continue;
                }

                var summary = await WithMaintenance(database, m => m.SummarizeAsync(ct));
                table.AddRow(
                    database.Name,
                    Markup.Escape(database.Location),
                    Count(summary.Pending),
                    Count(summary.SetAside),
                    summary.OldestPending is { } oldest ? Age(DateTime.UtcNow - oldest) : "-");
            }

            console.Write(table);
            return ExitCodes.Ok;
        }));
        return list;
    }

    private static Command Show(IConfiguration configuration)
    {
        var service = ServiceOption();
        var count = OperatorCommand.CountOption("How many set-aside messages to show per service, oldest first.", DefaultShowCount);
        var json = OperatorJson.Option();
        var show = new Command("show", "The set-aside messages: id, type, destination, attempts, reason, when set aside.") { service, count, json };
        show.SetAction((parse, ct) => RunAsync(parse, configuration, service, async (databases, console) =>
        {
            if (!OperatorCommand.TryGetCount(parse, count, out var n))
            {
                return ExitCodes.Usage;
            }

            if (parse.GetValue(json))
            {
                var messages = new List<SetAsideReport>();
                foreach (var database in databases.Where(d => d.Exists))
                {
                    messages.AddRange((await WithMaintenance(database, x => x.ListSetAsideAsync(n, ct))).Select(m => new SetAsideReport(
                        database.Name, m.MessageId, m.MessageType, m.DestinationAddress?.ToString(), m.DeliveryAttempts, m.FailureReason,
                        OperatorJson.Utc(m.SetAside), m.SequenceNumber)));
                }

                OperatorJson.Write(parse, new ShowReport(messages));
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumn("Service").AddColumn("Message id").AddColumn("Type").AddColumn("Destination")
                .AddColumn(new TableColumn("Attempts").RightAligned()).AddColumn("Reason").AddColumn("Set aside (UTC)");
            foreach (var database in databases.Where(d => d.Exists))
            {
                foreach (var m in await WithMaintenance(database, x => x.ListSetAsideAsync(n, ct)))
                {
                    table.AddRow(
                        database.Name,
                        m.MessageId.ToString(),
                        Markup.Escape(OperatorCommand.ShortType(m.MessageType)),
                        Markup.Escape(m.DestinationAddress?.ToString() ?? "-"),
                        Count(m.DeliveryAttempts),
                        Markup.Escape(m.FailureReason ?? "-"),
                        m.SetAside.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                }
            }

            if (table.Rows.Count == 0)
            {
                console.WriteLine("No set-aside outbox messages.");
                return ExitCodes.Ok;
            }

            console.Write(table);
            return ExitCodes.Ok;
        }));
        return show;
    }

    private static Command Replay(IConfiguration configuration)
    {
        var service = ServiceOption();
        var messageId = OperatorCommand.MessageIdOption("Replay only the set-aside message with this id.");
        var all = new Option<bool>("--all") { Description = "Replay every set-aside message." };
        var replay = new Command(
            "replay",
            "Put set-aside messages back in line (attempts reset): the services send them again, in their original order.")
        {
            service, messageId, all,
        };
        replay.SetAction((parse, ct) => RunAsync(parse, configuration, service, async (databases, console) =>
        {
            if (parse.GetValue(all) == (parse.GetResult(messageId) is not null))
            {
                return Usage(parse, "Give exactly one of --message-id ID or --all.");
            }

            var id = parse.GetValue(messageId);
            var total = 0;
            foreach (var database in databases.Where(d => d.Exists))
            {
                var replayed = await WithMaintenance(database, m => m.ReplayAsync(id, ct));
                if (replayed > 0)
                {
                    console.WriteLine($"{database.Name}: {replayed} message(s) put back in line.");
                }

                total += replayed;
            }

            return Outcome(parse, console, total, id, "Replayed", "the services send them on their next delivery pass");
        }));
        return replay;
    }

    private static Command Purge(IConfiguration configuration)
    {
        var service = ServiceOption();
        var messageId = OperatorCommand.MessageIdOption("Delete only the set-aside message with this id.");
        var yes = new Option<bool>("--yes") { Description = "Confirm: the set-aside messages are deleted for good." };
        var purge = new Command("purge", "Delete set-aside messages (messages still waiting to be sent are kept).") { service, messageId, yes };
        purge.SetAction((parse, ct) => RunAsync(parse, configuration, service, async (databases, console) =>
        {
            if (!parse.GetValue(yes))
            {
                return Usage(parse, "Purging deletes set-aside outbox messages for good: add --yes to confirm.");
            }

            var id = parse.GetValue(messageId);
            var total = 0;
            foreach (var database in databases.Where(d => d.Exists))
            {
                var purged = await WithMaintenance(database, m => m.PurgeAsync(id, ct));
                if (purged > 0)
                {
                    console.WriteLine($"{database.Name}: {purged} message(s) deleted.");
                }

                total += purged;
            }

            return Outcome(parse, console, total, id, "Purged", "they will not be sent");
        }));
        return purge;
    }

    private static Option<string?> ServiceOption() => new("--service")
    {
        Description = "Only these services' databases, comma-separated: orders, inventory, payments, notifications (default: all).",
    };

    private static async Task<int> RunAsync(
        ParseResult parse,
        IConfiguration configuration,
        Option<string?> service,
        Func<IReadOnlyList<OperatorDatabase>, IAnsiConsole, Task<int>> action)
    {
        IReadOnlyList<OperatorDatabase> databases;
        try
        {
            databases = Databases(configuration, parse, parse.GetValue(service));
        }
        catch (HostConfigurationException ex)
        {
            return Usage(parse, ex.Message);
        }

        return await OperatorCommand.GuardAsync(parse, console => action(databases, console));
    }

    /// <summary>The databases of the named services (all with one), as the Host would open them under the same options.</summary>
    private static List<OperatorDatabase> Databases(IConfiguration configuration, ParseResult parse, string? services)
    {
        var effective = OperatorCommand.Effective(configuration, parse);
        var host = OperatorCommand.HostOptionsOf(effective);
        var names = ServiceDatabases.Names;
        if (!string.IsNullOrWhiteSpace(services) && !services.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            var wanted = services.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = wanted.Where(w => !ServiceDatabases.Names.Contains(w, StringComparer.OrdinalIgnoreCase)).ToList();
            if (unknown.Count > 0)
            {
                throw new HostConfigurationException(
                    $"No database for service(s): {string.Join(", ", unknown)}. Use any of: {string.Join(", ", ServiceDatabases.Names.Select(n => n.ToLowerInvariant()))}.");
            }

            names = ServiceDatabases.Names.Where(n => wanted.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        }

        return names.Select(n => OperatorCommand.DatabaseOf(effective, n)).ToList();
    }

    private static Task<T> WithMaintenance<T>(OperatorDatabase database, Func<OutboxMaintenance, Task<T>> work) =>
        OperatorCommand.WithDatabaseAsync(database, OutboxDbContext.Open, db => work(new OutboxMaintenance(db)));

    private static int Outcome(ParseResult parse, IAnsiConsole console, int total, Guid? id, string verb, string consequence) =>
        OperatorCommand.Outcome(parse, console, "outbox", total, id, verb, consequence);

    private static int Usage(ParseResult parse, string message) => OperatorCommand.Usage(parse, message);

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>outbox list --json</c>: counts are null for a database that does not exist.</summary>
    private sealed record ListReport(IReadOnlyList<DatabaseReport> Databases);

    private sealed record DatabaseReport(
        string Service, string Database, bool Exists, int? Pending, int? SetAside, DateTime? OldestPending, double? OldestPendingSeconds);

    /// <summary><c>outbox show --json</c>: the set-aside messages of every database asked for, per database in store order.</summary>
    private sealed record ShowReport(IReadOnlyList<SetAsideReport> Messages);

    private sealed record SetAsideReport(
        string Service, Guid MessageId, string MessageType, string? Destination, int Attempts, string? Reason, DateTime SetAside, long SequenceNumber);

    private static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => $"{Math.Max(0, (int)age.TotalSeconds)}s",
        { TotalHours: < 1 } => $"{age.Minutes}m {age.Seconds}s",
        { TotalDays: < 1 } => $"{age.Hours}h {age.Minutes}m",
        _ => $"{(int)age.TotalDays}d {age.Hours}h",
    };
}
