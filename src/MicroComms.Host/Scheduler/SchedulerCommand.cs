using System.CommandLine;
using System.Globalization;
using MicroComms.Host.Errors;
using MicroComms.Messaging.Scheduling;
using Spectre.Console;

namespace MicroComms.Host.Scheduler;

/// <summary>
/// <c>scheduler list | replay | purge</c>: operator commands over the scheduled messages set aside in the scheduler's
/// SQLite database (found as the Host finds it: <c>ConnectionStrings:Scheduler</c>, else <c>--data</c> /
/// <c>MicroComms:Host:DataDirectory</c>). They work while the services run. Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class SchedulerCommand
{
    private const int DefaultListCount = 20;

    public static Command Create(IConfiguration configuration)
    {
        var command = new Command("scheduler", "Inspect, replay and purge scheduled messages set aside because they could not be sent.");
        command.Subcommands.Add(List(configuration));
        command.Subcommands.Add(Replay(configuration));
        command.Subcommands.Add(Purge(configuration));
        return command;
    }

    private static Command List(IConfiguration configuration)
    {
        var count = OperatorCommand.CountOption("How many set-aside messages to show, the earliest set aside first.", DefaultListCount);
        var list = new Command("list", "Messages waiting and set aside, then the set-aside ones: id, type, destination, due, attempts, reason.") { count };
        list.SetAction((parse, ct) => RunAsync(parse, configuration, async (database, console) =>
        {
            if (!OperatorCommand.TryGetCount(parse, count, out var n))
            {
                return ExitCodes.Usage;
            }

            if (!database.Exists)
            {
                console.WriteLine($"No scheduler database at {database.Location}.");
                return ExitCodes.Ok;
            }

            var (summary, setAside) = await WithMaintenance(database, async m => (await m.SummarizeAsync(ct), await m.ListSetAsideAsync(n, ct)));
            var next = summary.NextDue is { } due ? $", the next due {Time(due)} UTC" : "";
            console.WriteLine($"{database.Location}: {summary.Waiting} waiting{next}, {summary.SetAside} set aside.");
            if (setAside.Count == 0)
            {
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumn("Message id").AddColumn("Type").AddColumn("Destination").AddColumn("Due (UTC)")
                .AddColumn(new TableColumn("Attempts").RightAligned()).AddColumn("Reason").AddColumn("Set aside (UTC)");
            foreach (var m in setAside)
            {
                table.AddRow(
                    m.MessageId.ToString(),
                    Markup.Escape(OperatorCommand.ShortType(m.MessageType)),
                    Markup.Escape(m.Destination),
                    Time(m.DueAt),
                    m.DeliveryAttempts.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(m.FailureReason ?? "-"),
                    Time(m.SetAside));
            }

            console.Write(table);
            return ExitCodes.Ok;
        }));
        return list;
    }

    private static Command Replay(IConfiguration configuration)
    {
        var messageId = OperatorCommand.MessageIdOption("Replay only the set-aside message with this id.");
        var all = new Option<bool>("--all") { Description = "Replay every set-aside message." };
        var replay = new Command("replay", "Put set-aside messages back in line (attempts reset): a running scheduler sends them on its next pass.")
        {
            messageId, all,
        };
        replay.SetAction((parse, ct) => RunAsync(parse, configuration, async (database, console) =>
        {
            if (parse.GetValue(all) == (parse.GetResult(messageId) is not null))
            {
                return OperatorCommand.Usage(parse, "Give exactly one of --message-id ID or --all.");
            }

            var id = parse.GetValue(messageId);
            var replayed = database.Exists ? await WithMaintenance(database, m => m.ReplayAsync(id, ct)) : 0;
            return Outcome(parse, console, replayed, id, "Replayed", "the scheduler sends them on its next pass");
        }));
        return replay;
    }

    private static Command Purge(IConfiguration configuration)
    {
        var messageId = OperatorCommand.MessageIdOption("Delete only the set-aside message with this id.");
        var yes = new Option<bool>("--yes") { Description = "Confirm: the set-aside messages are deleted for good." };
        var purge = new Command("purge", "Delete set-aside scheduled messages (messages still waiting are kept).") { messageId, yes };
        purge.SetAction((parse, ct) => RunAsync(parse, configuration, async (database, console) =>
        {
            if (!parse.GetValue(yes))
            {
                return OperatorCommand.Usage(parse, "Purging deletes set-aside scheduled messages for good: add --yes to confirm.");
            }

            var id = parse.GetValue(messageId);
            var purged = database.Exists ? await WithMaintenance(database, m => m.PurgeAsync(id, ct)) : 0;
            return Outcome(parse, console, purged, id, "Purged", "they will not be sent");
        }));
        return purge;
    }

    private static Task<int> RunAsync(ParseResult parse, IConfiguration configuration, Func<OperatorDatabase, IAnsiConsole, Task<int>> action)
    {
        var effective = OperatorCommand.Effective(configuration, parse);
        var database = OperatorCommand.DatabaseOf(effective, SchedulerOptions.ConnectionStringName);
        return OperatorCommand.GuardAsync(parse, console => action(database, console));
    }

    private static Task<T> WithMaintenance<T>(OperatorDatabase database, Func<ScheduledMessageMaintenance, Task<T>> work) =>
        OperatorCommand.WithDatabaseAsync(database, SchedulerDbContext.Open, db => work(new ScheduledMessageMaintenance(db)));

    private static int Outcome(ParseResult parse, IAnsiConsole console, int total, Guid? id, string verb, string consequence) =>
        OperatorCommand.Outcome(parse, console, "scheduled", total, id, verb, consequence);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
