using System.Diagnostics;

namespace MicroComms.Host.Crash;

/// <summary>
/// One MicroComms service as an operating-system process of its own (<c>dotnet microcomms.dll --services X</c>), as
/// production runs it: started, killed with SIGKILL, started again on the same data folder. Its output goes to a log
/// file beside its data. Several instances of one service are several of these, each with its own <paramref name="name"/>
/// and folder.
/// </summary>
internal sealed class ServiceProcess(string service, string name, string dataDirectory, string urls, IReadOnlyDictionary<string, string> environment)
    : IAsyncDisposable
{
    /// <summary>
    /// How long a start may take before the run gives up on it: a restart falls in the broker's stop/start, which takes
    /// minutes on a loaded machine (as the broker scripts' own timeout allows).
    /// </summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan RestartBackoff = TimeSpan.FromSeconds(1);

    // Standard output and standard error arrive on two threads; the log file takes one line at a time.
    private readonly Lock _logLock = new();
    private Process? _process;
    private TaskCompletionSource<Uri?> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StreamWriter? _log;

    public string Service { get; } = service;

    /// <summary>The service, or with several instances the service and its number (<c>orders-2</c>).</summary>
    public string Name { get; } = name;

    /// <summary>The first HTTP address the process printed once it was running.</summary>
    public Uri? Address { get; private set; }

    /// <summary>True while the process runs (it may have killed itself at a crash point).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Completes when the process exits, whoever ended it.</summary>
    public Task Exited => _process?.WaitForExitAsync() ?? Task.CompletedTask;

    public string LogPath => Path.Combine(dataDirectory, "process.log");

    /// <summary>
    /// Starts the process (with <paramref name="extraEnvironment"/> for this start only) and waits until it serves. A
    /// process that ends before it serves (the broker is down, so its start-up check fails) is started again, as an
    /// orchestrator's restart policy would, until <see cref="StartTimeout"/>.
    /// </summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string>? extraEnvironment = null, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await StartOnceAsync(extraEnvironment, StartTimeout - deadline.Elapsed, cancellationToken);
                return;
            }
            catch (ServiceExitedException) when (deadline.Elapsed < StartTimeout)
            {
                await Task.Delay(RestartBackoff, cancellationToken);
            }
        }
    }

    private async Task StartOnceAsync(IReadOnlyDictionary<string, string>? extraEnvironment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     typeof(ServiceProcess).Assembly.Location, "--transport", "rabbitmq", "--services", Service,
                     "--data", dataDirectory, "--urls", urls, "--grpc-url", "",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment.Concat(extraEnvironment ?? new Dictionary<string, string>()))
        {
            start.Environment[key] = value;
        }

        _ready = new TaskCompletionSource<Uri?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _log ??= new StreamWriter(LogPath, append: true) { AutoFlush = true };
        await _log.WriteLineAsync($"==== start {DateTime.UtcNow:O}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        var ready = _ready;
        process.Exited += (_, _) => ready.TrySetException(new ServiceExitedException(
            $"{Name} exited with code {process.ExitCode} before it was running; see {LogPath}."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        _process?.Dispose();
        _process = process;
        Address = await ready.Task.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>SIGKILL: no shutdown code runs, as when the machine or the container dies.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, the way an orchestrator stops a service, then SIGKILL if it does not end in time.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log?.WriteLine(line);
        }

        // MicroCommsCommands prints these once the bus and the HTTP server are started.
        if (line.StartsWith("Gateway: ", StringComparison.Ordinal) || line.StartsWith("HTTP: ", StringComparison.Ordinal))
        {
            _ready.TrySetResult(new Uri(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]));
        }
    }

    private sealed class ServiceExitedException(string message) : Exception(message);
}
