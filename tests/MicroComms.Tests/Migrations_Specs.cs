using System.Text.RegularExpressions;
using MicroComms.Host.Db;
using MicroComms.Host.Errors;
using MicroComms.Messaging.Scheduling;
using MicroComms.Messaging.Stores;
using MicroComms.Orders;
using MicroComms.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Tests;

/// <summary>
/// The schema by EF Core migrations on SQLite: <c>db migrate</c> and <c>db script</c>, start-up's MigrateAtStart, files
/// written by EnsureCreated before migrations, and a guard against a model change without its migrations.
/// </summary>
public sealed class Migrations_Specs : IDisposable
{
    private readonly string _data = TestFiles.Path($"migrations-{Guid.NewGuid():N}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Db_migrate_creates_every_database_of_the_data_folder_at_the_latest_migration_and_a_second_run_changes_nothing()
    {
        var (exit, output, error) = await RunAsync("db", "migrate");

        Assert.True(exit == ExitCodes.Ok, error);
        foreach (var database in DbCommand.All)
        {
            Assert.Contains($"{database.Name}: ", output, StringComparison.Ordinal);
            await using var db = database.Open(StoreKind.Sqlite, $"Data Source={Path.Combine(_data, database.Name + ".db")}");
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        }

        await using (var orders = new OrdersDbContext(StoreRegistration.OptionsFor<OrdersDbContext>(StoreKind.Sqlite, $"Data Source={Path.Combine(_data, "orders.db")}")))
        {
            Assert.Equal(OrdersDbContext.SeedCustomers.Count, await orders.Customers.CountAsync());
            Assert.Equal(0, await orders.OrderSagas.CountAsync());
        }

        var (again, repeated, _) = await RunAsync("db", "migrate", "--service", "Orders");
        Assert.Equal(ExitCodes.Ok, again);
        Assert.Contains("orders: ", repeated, StringComparison.Ordinal);
        Assert.Contains("up to date", repeated, StringComparison.Ordinal);
        Assert.DoesNotContain("inventory", repeated, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Db_migrate_with_an_unknown_service_is_a_usage_error_that_lists_the_databases()
    {
        var (exit, _, error) = await RunAsync("db", "migrate", "--service", "shipping");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("No database named 'shipping'. Use one of: orders, inventory, payments, notifications, scheduler.", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_data));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Db_script_prints_the_create_table_statements_of_every_database_without_opening_one(string store)
    {
        var (exit, output, error) = await RunAsync("db", "script", "--store", store);

        Assert.True(exit == ExitCodes.Ok, error);
        var sections = Regex.Split(output, "^-- ", RegexOptions.Multiline).Where(s => s.Length > 0).ToList();
        foreach (var (database, table) in new[]
                 {
                     ("orders", "OrderSagas"), ("inventory", "Stock"), ("payments", "Charges"),
                     ("notifications", "Notifications"), ("scheduler", "scheduled_messages"),
                 })
        {
            var section = Assert.Single(sections, s => s.StartsWith(database + ":", StringComparison.Ordinal));
            // PostgreSQL's script quotes only names that need it (scheduled_messages does not).
            Assert.Matches($"CREATE TABLE \"?{table}\"? \\(", section);
            if (database != "scheduler")
            {
                Assert.Contains("CREATE TABLE \"OutboxMessage\"", section, StringComparison.Ordinal);
            }

            Assert.Contains("__EFMigrationsHistory", section, StringComparison.Ordinal);
        }

        if (store == "postgres")
        {
            Assert.Contains("IF NOT EXISTS(SELECT 1 FROM \"__EFMigrationsHistory\"", output, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(_data));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public void Every_context_model_matches_its_latest_migration_on_each_store(StoreKind store)
    {
        // A model change without 'dotnet ef migrations add' for both stores fails here (and Migrate would refuse it).
        var placeholder = store == StoreKind.Postgres ? "Host=localhost;Database=none" : "Data Source=:memory:";
        foreach (var database in DbCommand.All)
        {
            using var db = database.Open(store, placeholder);
            Assert.NotEmpty(db.Database.GetMigrations());
            Assert.False(
                db.Database.HasPendingModelChanges(),
                $"{db.GetType().Name} has changed since its latest {store} migration: add one for each store (README, 'Operator commands: database schema').");
        }
    }

    [Fact]
    public async Task A_scheduler_file_written_by_EnsureCreated_before_migrations_is_upgraded_at_start_and_keeps_its_rows()
    {
        var file = Path.Combine(_data, "scheduler.db");
        Directory.CreateDirectory(_data);
        var token = Guid.NewGuid();
        await using (var old = SchedulerDbContext.Open(StoreKind.Sqlite, $"Data Source={file}"))
        {
            // The table's first version: before the set-aside columns, with no migration history.
            await old.Database.EnsureCreatedAsync();
            foreach (var column in new[] { "delivery_attempts", "set_aside_at", "failure_reason" })
            {
#pragma warning disable EF1002 // The column names are the constants above.
                await old.Database.ExecuteSqlRawAsync($"ALTER TABLE scheduled_messages DROP COLUMN {column};");
#pragma warning restore EF1002
            }

            await old.Database.ExecuteSqlRawAsync(
                "INSERT INTO scheduled_messages (token_id, due_at, message_id, destination, created_at, headers, properties, content_type, message_type, body) "
                + "VALUES ({0}, 1, {1}, 'queue:somewhere', 0, '{{}}', '{{}}', 'application/json', 'urn:message:X', '{{}}')",
                token.ToString().ToUpperInvariant(), Guid.NewGuid().ToString().ToUpperInvariant());
        }

        using (var host = Host(file, migrateAtStart: null))
        {
            await host.StartAsync();
            await host.StopAsync();
        }

        await using var db = SchedulerDbContext.Open(StoreKind.Sqlite, $"Data Source={file}");
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        var row = Assert.Single(await db.ScheduledMessages.ToListAsync());
        Assert.Equal(token, row.TokenId);
        Assert.Equal(0, row.DeliveryAttempts);
        Assert.Null(row.FailureReason);
    }

    [Fact]
    public async Task An_orders_file_written_by_EnsureCreated_before_migrations_is_baselined_by_db_migrate_and_keeps_its_rows()
    {
        var file = Path.Combine(_data, "orders.db");
        Directory.CreateDirectory(_data);
        var options = StoreRegistration.OptionsFor<OrdersDbContext>(StoreKind.Sqlite, $"Data Source={file}");
        await using (var old = new OrdersDbContext(options))
        {
            // What EnsureCreated wrote then is the first migration's shape (today's model has the columns added since),
            // and no history.
            await old.GetService<IMigrator>().MigrateAsync(old.Database.GetMigrations().First());
            await old.Database.ExecuteSqlRawAsync("DROP TABLE \"__EFMigrationsHistory\"");
            old.Customers.Add(new Customer { Id = "zoe", Name = "Zoe" });
            await old.SaveChangesAsync();
        }

        var (exit, output, error) = await RunAsync("db", "migrate", "--service", "orders");

        Assert.True(exit == ExitCodes.Ok, error);
        await using var db = new OrdersDbContext(options);
        var since = db.Database.GetMigrations().Skip(1).ToList();
        Assert.Contains(since.Count == 0 ? "up to date" : $"applied {since.Count} migration(s): {string.Join(", ", since)}.", output, StringComparison.Ordinal);
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(OrdersDbContext.SeedCustomers.Count + 1, await db.Customers.CountAsync());
    }

    [Fact]
    public async Task With_MigrateAtStart_off_a_file_without_the_schema_stops_start_up_with_one_sentence_naming_db_migrate()
    {
        var file = Path.Combine(_data, "scheduler.db");
        using var host = Host(file, migrateAtStart: "false");

        var error = await Assert.ThrowsAsync<StoreNotUsableException>(() => host.StartAsync());

        Assert.Equal(
            $"The SchedulerDbContext database at {file} has no migrated schema: run 'microcomms db migrate' (or set MicroComms:MigrateAtStart to true to migrate at start).",
            error.Message);
    }

    [Fact]
    public void A_MigrateAtStart_that_is_not_a_boolean_stops_start_up_with_the_key()
    {
        var error = Assert.Throws<StoreNotUsableException>(() => Host(Path.Combine(_data, "scheduler.db"), migrateAtStart: "sometimes"));

        Assert.Equal("MicroComms:MigrateAtStart is 'sometimes'; it must be true or false.", error.Message);
    }

    [Fact]
    public async Task Hosts_starting_together_on_one_new_file_all_start_and_apply_the_migrations_once()
    {
        const int Hosts = 6;
        var file = Path.Combine(_data, "scheduler.db");
        Directory.CreateDirectory(_data);
        var hosts = Enumerable.Range(0, Hosts).Select(_ => Host(file, migrateAtStart: null)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => Task.Run(() => h.StartAsync())));
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }

        await using var db = SchedulerDbContext.Open(StoreKind.Sqlite, $"Data Source={file}");
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
    }

    private static IHost Host(string file, string? migrateAtStart)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Scheduler"] = $"Data Source={file}",
            [StoreSchema.MigrateAtStartKey] = migrateAtStart,
        });
        builder.Services.AddMicroCommsDbContext<SchedulerDbContext>(builder.Configuration, SchedulerOptions.ConnectionStringName);
        return builder.Build();
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        OperatorCommandRun.RunAsync(DbCommand.Create(new ConfigurationBuilder().Build()), _data, args);
}
