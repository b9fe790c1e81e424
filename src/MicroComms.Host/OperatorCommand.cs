using System.CommandLine;
using MicroComms.Host.Errors;
using MicroComms.Messaging.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Spectre.Console;

namespace MicroComms.Host;

/// <summary>
/// What the database commands (<c>outbox</c>, <c>scheduler</c>) share: finding the files as the Host would, one way
/// to report failures and wrong command lines, and the short forms they print. Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class OperatorCommand
{
    public static Option<Guid?> MessageIdOption(string description) => new("--message-id") { Description = description };

    /// <summary>The configuration the Host would run with: <paramref name="configuration"/> plus the command line's options (<c>--data</c>).</summary>
    public static IConfiguration Effective(IConfiguration configuration, ParseResult parse) =>
        new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(CommandLineOptions.Overrides(parse))
            .Build();

    public static MicroCommsHostOptions HostOptionsOf(IConfiguration effective) =>
        effective.GetSection(MicroCommsHostOptions.SectionName).Get<MicroCommsHostOptions>() ?? new MicroCommsHostOptions();

    /// <summary>Runs <paramref name="action"/>; a failure a person can act on becomes one sentence and exit code 1.</summary>
    public static async Task<int> GuardAsync(ParseResult parse, Func<IAnsiConsole, Task<int>> action)
    {
        var console = OperatorConsole.Create(parse);
        try
        {
            return await action(console);
        }
        catch (ErrorCommandException ex)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(ex.Message);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("Cancelled; each database's change is all or nothing.");
            return ExitCodes.Failure;
        }
    }

    /// <summary>Opens <paramref name="database"/> (never creating it) for <paramref name="work"/>; the store's errors name where it is.</summary>
    public static async Task<T> WithDatabaseAsync<TContext, T>(
        OperatorDatabase database,
        Func<StoreKind, string, TContext> open,
        Func<TContext, Task<T>> work)
        where TContext : DbContext
    {
        try
        {
            await using var db = database.Open(open);
            return await work(db);
        }
        catch (Exception ex) when (ex is SqliteException or NpgsqlException)
        {
            throw new ErrorCommandException($"{database.Name} ({database.Location}): {ex.Message}", ex);
        }
    }

    /// <summary>The database of <paramref name="name"/> (a service's connection-string name, or the scheduler's) as the Host would open it.</summary>
    public static OperatorDatabase DatabaseOf(IConfiguration effective, string name) =>
        new(name.ToLowerInvariant(), ServiceDatabases.ConnectionString(effective, HostOptionsOf(effective), name), StoreRegistration.StoreOf(effective));

    /// <summary>
    /// How a replay or purge of <paramref name="total"/> set-aside <paramref name="kind"/> messages ended: a message id that
    /// matched nothing is a failure, an empty set is not.
    /// </summary>
    public static int Outcome(ParseResult parse, IAnsiConsole console, string kind, int total, Guid? id, string verb, string consequence)
    {
        if (id is { } wanted && total == 0)
        {
            parse.InvocationConfiguration.Error.WriteLine($"No set-aside {kind} message with id {wanted}.");
            return ExitCodes.Failure;
        }

        console.WriteLine(total == 0
            ? $"No set-aside {kind} messages."
            : $"{verb} {total} set-aside message(s): {consequence}.");
        return ExitCodes.Ok;
    }

    /// <summary><c>--count</c> / <c>-n</c>: how many rows or messages a command shows.</summary>
    public static Option<int> CountOption(string description, int defaultValue) =>
        new("--count", "-n") { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary>The <see cref="CountOption"/>'s value; false, after saying why, when it is below 1.</summary>
    public static bool TryGetCount(ParseResult parse, Option<int> option, out int count)
    {
        count = parse.GetValue(option);
        if (count >= 1)
        {
            return true;
        }

        Usage(parse, "--count must be at least 1.");
        return false;
    }

    public static int Usage(ParseResult parse, string message)
    {
        parse.InvocationConfiguration.Error.WriteLine(message);
        return ExitCodes.Usage;
    }

    /// <summary>"urn:message:MicroComms.Contracts:OrderSubmitted;urn:message:..." → "MicroComms.Contracts:OrderSubmitted".</summary>
    public static string ShortType(string messageType)
    {
        var first = messageType.Split(';', 2)[0];
        const string prefix = "urn:message:";
        return first.StartsWith(prefix, StringComparison.Ordinal) ? first[prefix.Length..] : first;
    }
}
