using MicroComms.Messaging.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace MicroComms.Messaging.Stores;

/// <summary>
/// The schema of a service's database, kept by EF Core migrations: one set per store beside each context
/// (<c>Migrations/Sqlite</c>, <c>Migrations/Postgres</c>, see <see cref="StoreMigrationsAssembly"/>). Start-up applies
/// them where <c>MicroComms:MigrateAtStart</c> says so; the Host's <c>db migrate</c> and <c>db script</c> use the same calls.
/// </summary>
public static class StoreSchema
{
    /// <summary>The configuration key that says whether start-up applies pending migrations (default: on for SQLite, off for PostgreSQL).</summary>
    public const string MigrateAtStartKey = "MicroComms:MigrateAtStart";

    internal const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";
    internal const string PostgresProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    /// <summary>EF's own tables, on both stores: the applied migrations, and the lock <c>Migrate</c> takes on SQLite.</summary>
    private const string EfTablePrefix = "__EFMigrations";
    private const string HistoryTable = "__EFMigrationsHistory";

    /// <summary><c>MicroComms:MigrateAtStart</c>, or the store's default when unset; a value that is not a boolean stops start-up.</summary>
    internal static bool MigrateAtStart(IConfiguration configuration)
    {
        var value = configuration[MigrateAtStartKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return StoreRegistration.StoreOf(configuration) == StoreKind.Sqlite;
        }

        return bool.TryParse(value, out var migrate)
            ? migrate
            : throw new StoreNotUsableException($"{MigrateAtStartKey} is '{value}'; it must be true or false.");
    }

    /// <summary>
    /// True when the context has migrations for the store it runs on (every service's and the scheduler's); a context
    /// without them (a test's own) is created from its model instead.
    /// </summary>
    internal static bool HasMigrations(DbContext db) => db.Database.GetMigrations().Any();

    /// <summary>
    /// Applies the pending migrations and returns their ids (none when the database is up to date). A SQLite file
    /// written before migrations (tables, no history) is first brought to the first migration's shape and recorded as
    /// at it, so its rows are kept. Safe to run from several processes at once: EF takes its migration lock.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            SqliteRegistration.EnsureDirectory(db.Database.GetConnectionString() ?? "");
            await BaselineSqliteAsync(db, cancellationToken);
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        return pending;
    }

    /// <summary>
    /// Stops start-up with one sentence when the database is not at the latest migration (start-up does not migrate
    /// here: <c>MicroComms:MigrateAtStart</c> is off).
    /// </summary>
    internal static async Task RequireMigratedAsync(DbContext db, CancellationToken cancellationToken)
    {
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var state = applied.Count == 0 ? "has no migrated schema" : $"is {pending.Count} migration(s) behind (next: {pending[0]})";
        throw new StoreNotUsableException(
            $"The {db.GetType().Name} database at {Location(db)} {state}: run 'microcomms db migrate' "
            + $"(or set {MigrateAtStartKey} to true to migrate at start).");
    }

    /// <summary>
    /// The SQL of every migration, for a DBA: on PostgreSQL idempotent (each migration guarded by the history table,
    /// so it runs on a database at any migration); SQLite has no such guard, so its script builds the schema from empty.
    /// </summary>
    public static string Script(DbContext db) =>
        db.GetService<IMigrator>().GenerateScript(
            options: db.Database.IsSqlite() ? MigrationsSqlGenerationOptions.Default : MigrationsSqlGenerationOptions.Idempotent);

    /// <summary>
    /// Opens a PostgreSQL database once, so a server that is down, a wrong password or a missing database is one sentence
    /// naming host, port, database and user instead of a stack trace (a SQLite file needs no check: it is created).
    /// </summary>
    public static async Task CheckReachableAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            return;
        }

        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.CloseConnectionAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            var target = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
            var reason = ex is PostgresException pg ? $"{pg.MessageText} ({pg.SqlState})" : ex.GetBaseException().Message.TrimEnd('.');
            var hint = ex is PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } ? " (create it first: CREATE DATABASE ...)" : "";
            throw new StoreNotUsableException(
                $"PostgreSQL for {db.GetType().Name} is not usable at {target.Host}:{target.Port} "
                + $"(database '{target.Database}', user '{target.Username}'): {reason}{hint}.",
                ex);
        }
    }

    /// <summary>Where the context's database is, for people: the SQLite file, or PostgreSQL's host, port and database.</summary>
    public static string Location(DbContext db) =>
        Location(db.Database.IsSqlite() ? StoreKind.Sqlite : StoreKind.Postgres, db.Database.GetConnectionString() ?? "");

    /// <summary>Where a database on <paramref name="store"/> is, for people, from its connection string.</summary>
    public static string Location(StoreKind store, string connectionString) =>
        store == StoreKind.Sqlite
            ? new SqliteConnectionStringBuilder(connectionString).DataSource
            : new NpgsqlConnectionStringBuilder(connectionString) is var pg ? $"{pg.Host}:{pg.Port}/{pg.Database}" : "";

    /// <summary>The folder (and namespace) of a provider's migrations beside each context.</summary>
    internal static string FolderOf(string providerName) => providerName switch
    {
        SqliteProvider => nameof(StoreKind.Sqlite),
        PostgresProvider => nameof(StoreKind.Postgres),
        _ => throw new InvalidOperationException($"MicroComms keeps no migrations for the EF provider {providerName}."),
    };

    /// <summary>
    /// A file EnsureCreated wrote (the services' tables, no migration history) is brought to the first migration's shape
    /// (<see cref="ISqliteSchemaUpgrade"/>: the columns added since) and recorded as at the first migration, all under
    /// the write lock, so processes starting together on it baseline it once.
    /// </summary>
    private static async Task BaselineSqliteAsync(DbContext db, CancellationToken cancellationToken)
    {
        var first = db.Database.GetMigrations().FirstOrDefault();
        if (first is null)
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var tables = await db.Database
            .SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
            .ToListAsync(cancellationToken);
        if (tables.Contains(HistoryTable) || !tables.Any(t => !t.StartsWith(EfTablePrefix, StringComparison.Ordinal)))
        {
            return;
        }

        if (db is ISqliteSchemaUpgrade upgrade)
        {
            await upgrade.UpgradeSchemaAsync(cancellationToken);
        }

        var history = db.GetService<IHistoryRepository>();
        await db.Database.ExecuteSqlRawAsync(history.GetCreateScript(), cancellationToken);
        await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(first, ProductInfo.GetVersion())), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The schema step of every store's start-up: a context without migrations (a test's own) is created from its
    /// model by <paramref name="createFromModel"/>; otherwise the pending migrations are applied where
    /// <paramref name="migrateAtStart"/> says, or start-up stops unless the database is migrated.
    /// </summary>
    internal static async Task BringUpToDateAsync(DbContext db, bool migrateAtStart, Func<Task> createFromModel, CancellationToken cancellationToken)
    {
        if (!HasMigrations(db))
        {
            await createFromModel();
        }
        else if (migrateAtStart)
        {
            await MigrateAsync(db, cancellationToken);
        }
        else
        {
            await RequireMigratedAsync(db, cancellationToken);
        }
    }
}
