using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace MicroComms.Host.Crash;

/// <summary>
/// The PostgreSQL a crash run on <c>--store postgres</c> uses: the server a connection string names (left alone), or a
/// private cluster of the machine's PostgreSQL binaries (<c>pg_config --bindir</c>) in the run's folder, on a free loopback
/// port with trust authentication, stopped at the end of the run (its data stays beside the services' logs). The server
/// refuses to run as root, so as root the cluster belongs to the <c>postgres</c> operating-system user.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    /// <summary>Eight service processes, each with a pool per database it opens: more than PostgreSQL's default of 100.</summary>
    private const int MaxConnections = 400;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);

    private readonly string? _dataDirectory;
    private readonly string? _binDirectory;

    private PostgresCluster(string connectionString, string? dataDirectory, string? binDirectory)
    {
        ConnectionString = connectionString;
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
    }

    /// <summary>A connection string with the right to create databases (the server's <c>postgres</c> database).</summary>
    public string ConnectionString { get; }

    /// <summary>The server <paramref name="connectionString"/> names, or (when it is empty) a private cluster in <paramref name="folder"/>.</summary>
    public static async Task<PostgresCluster> StartAsync(string? connectionString, string folder, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new PostgresCluster(connectionString, null, null);
        }

        var bin = (await RunAsync("pg_config", ["--bindir"], asPostgres: false, cancellationToken)).Trim();
        Directory.CreateDirectory(folder);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false, cancellationToken);
        }

        var port = FreeLoopbackPort();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", folder, "-A", "trust", "-U", "postgres", "--no-sync"], asPostgres: true, cancellationToken);
        await RunAsync(
            Path.Combine(bin, "pg_ctl"),
            ["-D", folder, "-l", Path.Combine(folder, "server.log"), "-w",
             "-o", $"-p {port.ToString(CultureInfo.InvariantCulture)} -c unix_socket_directories='' -c listen_addresses=127.0.0.1 -c fsync=off "
                   + $"-c max_connections={MaxConnections.ToString(CultureInfo.InvariantCulture)}", "start"],
            asPostgres: true,
            cancellationToken);
        return new PostgresCluster($"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres", folder, bin);
    }

    /// <summary>Creates the empty database <paramref name="name"/> and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the run's databases from a server that is not the run's own (a private cluster is stopped whole).</summary>
    public async Task DropDatabasesAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        if (_dataDirectory is not null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var name in names)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Stops a private cluster (fast shutdown); its folder stays for a look after the run.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_dataDirectory is not null && _binDirectory is not null)
        {
            await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], asPostgres: true, CancellationToken.None);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RunAsync(string program, string[] arguments, bool asPostgres, CancellationToken cancellationToken)
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
            throw new HostConfigurationException(
                $"--store postgres without --postgres needs the machine's PostgreSQL (Debian's postgresql package) to start a private cluster ({program}: {ex.Message}).");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CommandTimeout);
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await errors}{await output}");
            }

            return await output;
        }
    }
}
