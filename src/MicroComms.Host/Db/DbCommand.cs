using System.CommandLine;
using MicroComms.Host.Errors;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Spectre.Console;

namespace MicroComms.Host.Db;

/// <summary>
/// <c>db migrate | script</c>: the schema of the services' databases and the scheduler's, kept by EF Core migrations
/// (one set per store). <c>migrate</c> applies the pending ones to the databases of the configured store (found as the
/// Host finds them: <c>--data</c> on SQLite, <c>ConnectionStrings:&lt;Name&gt;</c>); <c>script</c> prints their SQL for a
/// DBA and opens no database. Exit codes: <see cref="ExitCodes"/>.
/// </summary>
public static class DbCommand
{
    /// <summary>The databases, by the names <c>--service</c> takes: each service's, then the scheduler's.</summary>
    public static readonly IReadOnlyList<SchemaDatabase> All =
    [
        .. ServiceModules.All.Where(m => m.DatabaseName is not null && m.OpenDatabase is not null)
            .Select(m => new SchemaDatabase(m.DatabaseName!, m.OpenDatabase!)),
        new(SchedulerOptions.ConnectionStringName, SchedulerDbContext.Open),
    ];

    public static Command Create(IConfiguration configuration)
    {
        var command = new Command("db", "Apply or print the migrations of the services' databases and the scheduler's.");
        command.Subcommands.Add(Migrate(configuration));
        command.Subcommands.Add(Script(configuration));
        return command;
    }

    private static Command Migrate(IConfiguration configuration)
    {
        var service = ServiceOption();
        var migrate = new Command(
            "migrate",
            "Apply the pending migrations to each database of the configured store (MicroComms:Store), or the one --service names; "
            + "safe to repeat and to run while the services run.") { service };
        migrate.SetAction((parse, ct) => RunAsync(parse, service, async databases =>
        {
            var effective = OperatorCommand.Effective(configuration, parse);
            var store = StoreOf(effective);
            var host = OperatorCommand.HostOptionsOf(effective);
            var console = OperatorConsole.Create(parse);
            foreach (var database in databases)
            {
                var connectionString = ServiceDatabases.ConnectionString(effective, host, database.ConnectionStringName);
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new ErrorCommandException(
                        $"{database.Name}: {StoreRegistration.StoreKey} is {store} but ConnectionStrings:{database.ConnectionStringName} is not set; "
                        + $"set it (e.g. ConnectionStrings__{database.ConnectionStringName}) to the database's connection string.");
                }

                console.WriteLine($"{database.Name}: {await MigrateAsync(database, store, connectionString, ct)}");
            }

            return ExitCodes.Ok;
        }));
        return migrate;
    }

    private static Command Script(IConfiguration configuration)
    {
        var service = ServiceOption();
        var storeOption = new Option<string?>("--store") { Description = "The store to print the SQL for: sqlite or postgres (default: MicroComms:Store)." };
        storeOption.AcceptOnlyFromAmong("sqlite", "postgres");
        var script = new Command(
            "script",
            "Print the SQL of every migration of each database (or the one --service names) to standard output, for a DBA: "
            + "idempotent on PostgreSQL; on SQLite it creates the schema from empty. Opens no database.") { service, storeOption };
        script.SetAction((parse, ct) => RunAsync(parse, service, async databases =>
        {
            var chosen = parse.GetValue(storeOption);
            var store = chosen is null ? StoreOf(OperatorCommand.Effective(configuration, parse))
                : chosen.Equals("postgres", StringComparison.OrdinalIgnoreCase) ? StoreKind.Postgres : StoreKind.Sqlite;

            // A placeholder connection: generating the script never opens it.
            var placeholder = store == StoreKind.Postgres ? "Host=localhost;Database=microcomms" : "Data Source=:memory:";
            var output = parse.InvocationConfiguration.Output;
            foreach (var database in databases)
            {
                await using var db = database.Open(store, placeholder);
                await output.WriteLineAsync(store == StoreKind.Sqlite
                    ? $"-- {database.Name}: {db.GetType().Name} on {store}, from an empty file (SQLite has no idempotent script; use db migrate on an existing one)"
                    : $"-- {database.Name}: {db.GetType().Name} on {store}, idempotent");
                await output.WriteLineAsync(StoreSchema.Script(db));
            }

            return ExitCodes.Ok;
        }));
        return script;
    }

    private static Option<string?> ServiceOption() =>
        new("--service")
        {
            Description = $"Only this database: {string.Join(", ", All.Select(d => d.Name))} (default: all of them).",
        };

    private static async Task<int> RunAsync(ParseResult parse, Option<string?> service, Func<IReadOnlyList<SchemaDatabase>, Task<int>> action)
    {
        var name = parse.GetValue(service);
        var databases = string.IsNullOrWhiteSpace(name)
            ? All
            : All.Where(d => d.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        if (databases.Count == 0)
        {
            return OperatorCommand.Usage(parse, $"No database named '{name}'. Use one of: {string.Join(", ", All.Select(d => d.Name))}.");
        }

        return await OperatorCommand.GuardAsync(parse, _ => action(databases));
    }

    private static StoreKind StoreOf(IConfiguration effective)
    {
        try
        {
            return StoreRegistration.StoreOf(effective);
        }
        catch (StoreNotUsableException ex)
        {
            throw new ErrorCommandException(ex.Message, ex);
        }
    }

    /// <summary>Migrates one database; what it did, as the rest of a line, or an <see cref="ErrorCommandException"/> naming it.</summary>
    private static async Task<string> MigrateAsync(SchemaDatabase database, StoreKind store, string connectionString, CancellationToken ct)
    {
        try
        {
            await using var db = database.Open(store, connectionString);
            await StoreSchema.CheckReachableAsync(db, ct);
            var applied = await StoreSchema.MigrateAsync(db, ct);
            var location = StoreSchema.Location(db);
            var latest = db.Database.GetMigrations().LastOrDefault() ?? "no migrations";
            return applied.Count == 0
                ? $"{location} is up to date ({latest})."
                : $"{location}: applied {applied.Count} migration(s): {string.Join(", ", applied)}.";
        }
        catch (StoreNotUsableException ex)
        {
            throw new ErrorCommandException($"{database.Name}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is SqliteException or NpgsqlException)
        {
            throw new ErrorCommandException($"{database.Name}: {ex.Message}", ex);
        }
    }
}
