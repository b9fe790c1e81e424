using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace MicroComms.Testing;

/// <summary>
/// A real PostgreSQL for tests: the server <c>MICROCOMMS_POSTGRES</c> names (an Npgsql connection string), or a private
/// cluster started from the machine's PostgreSQL binaries (<c>pg_config --bindir</c>) in a folder of this test process,
/// on a free loopback port, trust authentication, no fsync (a test's data need not survive a power cut), stopped and
/// deleted by <see cref="DisposeAsync"/>. The server refuses
/// to run as root, so as root the cluster belongs to the <c>postgres</c> operating-system user. Tests that need it never
/// skip: when no server can be had, <see cref="StartAsync"/> throws with the reason.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string ConnectionStringVariable = "MICROCOMMS_POSTGRES";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);

    private readonly string? _dataDirectory;
    private readonly string? _binDirectory;
    private readonly int _port;

    private PostgresServer(string connectionString, string? dataDirectory, string? binDirectory, int port = 0)
    {
        ConnectionString = connectionString;
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        _port = port;
    }

    /// <summary>An Npgsql connection string to the server's <c>postgres</c> database as its superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>True for a cluster this process started (and will stop), false for <c>MICROCOMMS_POSTGRES</c>.</summary>
    public bool IsPrivate => _dataDirectory is not null;

    public static async Task<PostgresServer> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        return string.IsNullOrWhiteSpace(configured) ? await StartPrivateAsync() : new PostgresServer(configured, null, null);
    }

    /// <summary>A private cluster even when <c>MICROCOMMS_POSTGRES</c> is set: for tests that stop and start the server.</summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        var bin = (await RunAsync("pg_config", ["--bindir"], asPostgres: false)).Trim();
        var data = TestFiles.Path($"postgres-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres:postgres", data], asPostgres: false);
        }

        var port = FreeLoopbackPort();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"], asPostgres: true);
        var server = new PostgresServer($"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres", data, bin, port);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts a private cluster that <see cref="StopAsync"/> stopped, on the same port and data folder.</summary>
    public Task StartAgainAsync() =>
        RunAsync(
            Path.Combine(Private().Bin, "pg_ctl"),
            ["-D", Private().Data, "-l", Path.Combine(Private().Data, "server.log"), "-w",
             // TCP on loopback only: a Unix socket under the test folder would exceed the 107-byte socket path limit.
             "-o", $"-p {_port.ToString(CultureInfo.InvariantCulture)} -c unix_socket_directories='' -c listen_addresses=127.0.0.1 -c fsync=off "
                   + "-c max_connections=300", "start"],
            asPostgres: true);

    /// <summary>Stops a private cluster (fast shutdown: open connections are cut) and keeps its data, as a server that goes away does.</summary>
    public Task StopAsync() =>
        RunAsync(Path.Combine(Private().Bin, "pg_ctl"), ["-D", Private().Data, "-m", "fast", "-w", "stop"], asPostgres: true);

    /// <summary>Creates the empty database <paramref name="name"/> and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops a private cluster (fast shutdown) and deletes its folder; a server from the environment is left alone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dataDirectory is null || _binDirectory is null)
        {
            return;
        }

        // A test may have stopped it already (StopAsync); then there is nothing to stop.
        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], asPostgres: true);
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    private (string Bin, string Data) Private() =>
        _binDirectory is not null && _dataDirectory is not null
            ? (_binDirectory, _dataDirectory)
            : throw new InvalidOperationException($"The server {ConnectionStringVariable} names is not ours to stop or start.");

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RunAsync(string program, string[] arguments, bool asPostgres)
    {
        var start = asPostgres && Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser") { ArgumentList = { "-u", "postgres", "--", program } }
            : new ProcessStartInfo(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {program}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"PostgreSQL tests need a PostgreSQL server: install Debian's postgresql package, or set {ConnectionStringVariable}. ({program}: {ex.Message})", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(CommandTimeout);
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await errors}{await output}");
            }

            return await output;
        }
    }
}
