using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace MicroComms.Host.Errors;

/// <summary>
/// <c>errors list | show | replay | purge</c>: operator commands over the error and skipped queues of the
/// broker named by <c>MicroComms:RabbitMq</c>, as the operator user <c>MicroComms:Operator</c> names. Exit codes:
/// <see cref="ExitCodes"/>.
/// </summary>
public static class ErrorsCommand
{
    /// <summary>Replays of at least this many messages show a progress bar (or progress lines when not on a terminal).</summary>
    private const int ProgressThreshold = 100;

    private const int DefaultShowCount = 10;

    /// <summary>The <c>errors</c> command, configured from <paramref name="configuration"/> (appsettings, environment).</summary>
    public static Command Create(IConfiguration configuration)
    {
        var command = new Command("errors", "Inspect, replay and purge the error (_error) and skipped (_skipped) queues.");
        command.Subcommands.Add(List(configuration));
        command.Subcommands.Add(Show(configuration));
        command.Subcommands.Add(Replay(configuration));
        command.Subcommands.Add(Purge(configuration));
        return command;
    }

    private static Command List(IConfiguration configuration)
    {
        var json = OperatorJson.Option();
        var list = new Command("list", "Error and skipped queues with their message counts.") { json };
        list.SetAction((parse, ct) => RunAsync(parse, configuration, async (client, console) =>
        {
            var queues = await client.ListParkingQueuesAsync(ct);
            if (parse.GetValue(json))
            {
                OperatorJson.Write(parse, new ListReport(queues.Select(q => new QueueReport(q.Queue, q.Messages)).ToList()));
                return ExitCodes.Ok;
            }

            if (queues.Count == 0)
            {
                console.WriteLine("No error or skipped queues.");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumn("Queue").AddColumn(new TableColumn("Messages").RightAligned());
            foreach (var (queue, messages) in queues)
            {
                table.AddRow(Markup.Escape(queue), messages.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(table);
            return ExitCodes.Ok;
        }));
        return list;
    }

    private static Command Show(IConfiguration configuration)
    {
        var queue = QueueArgument();
        var count = OperatorCommand.CountOption("How many messages to show, from the head of the queue.", DefaultShowCount);
        var json = OperatorJson.Option();
        var body = new Option<bool>("--body") { Description = "Also print each body as indented JSON, whatever envelope (JSON or MessagePack) it was sent in." };
        var show = new Command("show", "The first messages of an error or skipped queue (they stay in the queue).") { queue, count, json, body };
        show.SetAction((parse, ct) => RunAsync(parse, configuration, async (client, console) =>
        {
            if (!OperatorCommand.TryGetCount(parse, count, out var n))
            {
                return ExitCodes.Usage;
            }

            var name = parse.GetRequiredValue(queue);
            var messages = await client.PeekAsync(name, n, ct);
            if (parse.GetValue(json))
            {
                var withBody = parse.GetValue(body);
                OperatorJson.Write(parse, new ShowReport(name, messages.Select(m => new MessageReport(
                    m.MessageId, m.MessageType, m.Reason, m.ExceptionSummary, m.FirstFailure, m.Attempts, m.ReplayTo,
                    withBody ? m.ContentType : null, withBody ? BodyNode(m.Body) : null)).ToList()));
                return ExitCodes.Ok;
            }

            if (messages.Count == 0)
            {
                console.WriteLine($"'{name}' is empty.");
                return ExitCodes.Ok;
            }

            var table = new Table()
                .AddColumn("Message id").AddColumn("Type").AddColumn("Exception")
                .AddColumn("First failure").AddColumn("Attempts").AddColumn("Replays to");
            foreach (var m in messages)
            {
                table.AddRow(
                    Markup.Escape(m.MessageId),
                    Markup.Escape(m.MessageType),
                    Markup.Escape(m.ExceptionSummary.Length == 0 ? m.Reason : m.ExceptionSummary),
                    Markup.Escape(m.FirstFailure),
                    Markup.Escape(m.Attempts),
                    Markup.Escape(m.ReplayTo));
            }

            console.Write(table);
            if (parse.GetValue(body))
            {
                foreach (var m in messages)
                {
                    console.WriteLine();
                    console.WriteLine($"{m.MessageId} ({(m.ContentType.Length == 0 ? "no content type" : m.ContentType)}):");
                    console.WriteLine(m.Body);
                }
            }

            return ExitCodes.Ok;
        }));
        return show;
    }

    private static Command Replay(IConfiguration configuration)
    {
        var queue = QueueArgument();
        var messageId = new Option<string?>("--message-id") { Description = "Replay only the message with this id." };
        var all = new Option<bool>("--all") { Description = "Replay every message in the queue." };
        var replay = new Command(
            "replay",
            "Move messages back to the queue they failed on (each copy is confirmed by the broker before the parked one is removed).")
        {
            queue, messageId, all,
        };
        replay.SetAction((parse, ct) => RunAsync(parse, configuration, async (client, console) =>
        {
            var id = parse.GetValue(messageId);
            var everything = parse.GetValue(all);
            if (everything == (id is not null))
            {
                return OperatorCommand.Usage(parse, "Give exactly one of --message-id ID or --all.");
            }

            var name = parse.GetRequiredValue(queue);
            var total = everything ? await client.CountAsync(name, ct) : 1;
            ReplayResult result;
            if (total >= ProgressThreshold && console.Profile.Capabilities.Interactive)
            {
                result = await console.Progress().StartAsync(async progress =>
                {
                    var task = progress.AddTask($"Replaying {Markup.Escape(name)}", maxValue: total);
                    return await client.ReplayAsync(name, id, (done, _) => task.Value = done, ct);
                });
            }
            else if (total >= ProgressThreshold)
            {
                var step = Math.Max(1, (int)(total / 10));
                result = await client.ReplayAsync(
                    name,
                    id,
                    (done, of) =>
                    {
                        if (done % step == 0)
                        {
                            console.WriteLine($"replayed {done}/{of}");
                        }
                    },
                    ct);
            }
            else
            {
                result = await client.ReplayAsync(name, id, null, ct);
            }

            var targets = string.Join(", ", result.ByTarget.Select(t => $"{t.Value} to '{t.Key}'"));
            console.WriteLine(result.Replayed == 0
                ? $"'{name}' is empty: nothing to replay."
                : $"Replayed {result.Replayed} message(s) from '{name}': {targets}.");
            return ExitCodes.Ok;
        }));
        return replay;
    }

    private static Command Purge(IConfiguration configuration)
    {
        var queue = QueueArgument();
        var yes = new Option<bool>("--yes") { Description = "Confirm: the messages are deleted for good." };
        var purge = new Command("purge", "Delete every message in an error or skipped queue.") { queue, yes };
        purge.SetAction((parse, ct) => RunAsync(parse, configuration, async (client, console) =>
        {
            var name = parse.GetRequiredValue(queue);
            if (!ErrorQueueNames.IsParkingQueue(name))
            {
                return OperatorCommand.Usage(parse, $"'{name}' is not an error or skipped queue (its name must end in _error or _skipped).");
            }

            if (!parse.GetValue(yes))
            {
                return OperatorCommand.Usage(parse, $"Purging deletes every message in '{name}' for good: add --yes to confirm.");
            }

            var purged = await client.PurgeAsync(name, ct);
            console.WriteLine($"Purged {purged} message(s) from '{name}'.");
            return ExitCodes.Ok;
        }));
        return purge;
    }

    /// <summary><c>errors list --json</c>.</summary>
    private sealed record ListReport(IReadOnlyList<QueueReport> Queues);

    private sealed record QueueReport(string Queue, long Messages);

    /// <summary><c>errors show --json</c>: its own names, so the output stays put when <see cref="ErrorQueueMessage"/> changes.</summary>
    private sealed record ShowReport(string Queue, IReadOnlyList<MessageReport> Messages);

    /// <summary>One parked message; <c>exception</c> is "Type: message" (empty when none was recorded), <c>attempts</c> "N redelivered, M retried".</summary>
    /// <summary><c>contentType</c> and <c>body</c> (the body as a JSON value, or the sentence why it cannot be shown) only with <c>--body</c>.</summary>
    private sealed record MessageReport(
        string MessageId, string MessageType, string Reason, string Exception, string FirstFailure, string Attempts, string ReplayTo,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ContentType,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonNode? Body);

    private static JsonNode? BodyNode(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return JsonValue.Create(body);
        }
    }

    private static Argument<string> QueueArgument() => new("queue") { Description = "An error or skipped queue, e.g. orders_error." };

    private static async Task<int> RunAsync(
        ParseResult parse,
        IConfiguration configuration,
        Func<ErrorQueueClient, IAnsiConsole, Task<int>> action)
    {
        var console = OperatorConsole.Create(parse);
        try
        {
            return await action(ErrorQueueClient.FromConfiguration(configuration), console);
        }
        catch (ErrorCommandException ex)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(ex.Message);
            return ExitCodes.Failure;
        }
        catch (ValidationException ex)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"Invalid configuration: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("Cancelled; messages not yet replayed stay where they were.");
            return ExitCodes.Failure;
        }
    }
}
