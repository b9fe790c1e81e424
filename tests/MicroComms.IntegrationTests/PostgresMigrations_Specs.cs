using System.CommandLine;
using MicroComms.Host.Db;
using MicroComms.Host.Errors;
using MicroComms.Messaging.Stores;
using MicroComms.Orders;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace MicroComms.IntegrationTests;

/// <summary>
/// The schema by EF Core migrations on PostgreSQL: <c>db migrate</c> on empty databases, start-up with
/// MigrateAtStart off or on, and the errors an operator meets first (a missing database, a wrong password).
/// </summary>
[Trait("Needs", "Postgres")]
public sealed class PostgresMigrations_Specs : IAsyncLifetime
{
    private PostgresServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Db_migrate_creates_every_table_of_every_database_on_empty_databases_and_a_second_run_changes_nothing()
    {
        var settings = new Dictionary<string, string?> { [StoreRegistration.StoreKey] = "Postgres" };
        foreach (var database in DbCommand.All)
        {
            settings[$"ConnectionStrings:{database.ConnectionStringName}"] = await CreateDatabaseAsync(database.Name);
        }

        var (exit, output, error) = await RunAsync(settings, "db", "migrate");

        Assert.True(exit == ExitCodes.Ok, error);
        foreach (var database in DbCommand.All)
        {
            Assert.Contains($"{database.Name}: ", output, StringComparison.Ordinal);
            await using var db = database.Open(StoreKind.Postgres, settings[$"ConnectionStrings:{database.ConnectionStringName}"]!);
            var expected = db.Model.GetEntityTypes().Select(e => e.GetTableName()!).Append("__EFMigrationsHistory").ToHashSet();
            var tables = await TablesAsync(settings[$"ConnectionStrings:{database.ConnectionStringName}"]!);
            Assert.Subset(tables, expected);
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        }

        var (again, repeated, _) = await RunAsync(settings, "db", "migrate");
        Assert.Equal(ExitCodes.Ok, again);
        Assert.Equal(DbCommand.All.Count, repeated.Split('\n').Count(l => l.Contains("is up to date", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task With_MigrateAtStart_off_by_default_an_empty_database_stops_start_up_with_one_sentence_and_with_it_on_start_up_migrates()
    {
        var connectionString = await CreateDatabaseAsync("orders");

        using (var host = OrdersHost(connectionString, migrateAtStart: null))
        {
            var error = await Assert.ThrowsAsync<StoreNotUsableException>(() => host.StartAsync());
            Assert.Equal(
                $"The OrdersDbContext database at 127.0.0.1:{new NpgsqlConnectionStringBuilder(connectionString).Port}/{new NpgsqlConnectionStringBuilder(connectionString).Database} "
                + "has no migrated schema: run 'microcomms db migrate' (or set MicroComms:MigrateAtStart to true to migrate at start).",
                error.Message);
        }

        using (var host = OrdersHost(connectionString, migrateAtStart: "true"))
        {
            await host.StartAsync();
            await host.StopAsync();
        }

        Assert.Contains("OrderSagas", await TablesAsync(connectionString));
        using (var host = OrdersHost(connectionString, migrateAtStart: null))
        {
            await host.StartAsync();
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_missing_database_is_one_sentence_at_start_up_and_from_db_migrate()
    {
        var missing = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = "microcomms_nowhere" }.ConnectionString;

        using (var host = OrdersHost(missing, migrateAtStart: "true"))
        {
            var error = await Assert.ThrowsAsync<StoreNotUsableException>(() => host.StartAsync());
            Assert.Contains("database \"microcomms_nowhere\" does not exist (3D000)", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        }

        var (exit, output, stderr) = await RunAsync(
            new() { [StoreRegistration.StoreKey] = "Postgres", ["ConnectionStrings:Orders"] = missing }, "db", "migrate", "--service", "orders");

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Equal("", output);
        Assert.StartsWith("orders: PostgreSQL for OrdersDbContext is not usable at 127.0.0.1:", stderr, StringComparison.Ordinal);
        Assert.Contains("database \"microcomms_nowhere\" does not exist (3D000) (create it first: CREATE DATABASE ...).", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_wrong_password_is_one_sentence_from_db_migrate()
    {
        await RequirePasswordsAsync();
        var wrong = new NpgsqlConnectionStringBuilder(await CreateDatabaseAsync("orders"))
        {
            Username = "microcomms",
            Password = "not-the-password",
        }.ConnectionString;

        var (exit, _, stderr) = await RunAsync(
            new() { [StoreRegistration.StoreKey] = "Postgres", ["ConnectionStrings:Orders"] = wrong }, "db", "migrate", "--service", "orders");

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("user 'microcomms'): password authentication failed for user \"microcomms\" (28P01).", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    private static IHost OrdersHost(string connectionString, string? migrateAtStart)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StoreRegistration.StoreKey] = "Postgres",
            ["ConnectionStrings:Orders"] = connectionString,
            [StoreSchema.MigrateAtStartKey] = migrateAtStart,
        });
        builder.Services.AddMicroCommsDbContext<OrdersDbContext>(builder.Configuration, OrdersRegistration.DatabaseName);
        return builder.Build();
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var root = new RootCommand { DbCommand.Create(configuration) };
        var parse = root.Parse(args);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A new, empty database on the server; its connection string.</summary>
    private async Task<string> CreateDatabaseAsync(string name)
    {
        var database = $"microcomms_{name}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = database }.ConnectionString;
    }

    private static async Task<HashSet<string>> TablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    /// <summary>
    /// A role that logs in with a password: the private cluster trusts every loopback login, so its pg_hba.conf (the file
    /// belongs to the cluster of this test) is rewritten to keep trusting only the superuser.
    /// </summary>
    private async Task RequirePasswordsAsync()
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using (var role = new NpgsqlCommand("CREATE ROLE microcomms LOGIN PASSWORD 'the-password'", connection))
        {
            await role.ExecuteNonQueryAsync();
        }

        if (!_server.IsPrivate)
        {
            return;
        }

        await using (var show = new NpgsqlCommand("SHOW hba_file", connection))
        {
            var hba = (string)(await show.ExecuteScalarAsync())!;
            await File.WriteAllTextAsync(hba, "host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
        }

        await using (var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection))
        {
            await reload.ExecuteScalarAsync();
        }

        // The server rereads the file a moment after the call returns.
        var probe = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Username = "microcomms", Password = "wrong", Pooling = false }.ConnectionString;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(100))
        {
            try
            {
                await using var login = new NpgsqlConnection(probe);
                await login.OpenAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "pg_hba.conf was not reloaded");
        }
    }
}
