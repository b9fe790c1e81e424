using System.CommandLine;
using MicroComms.Host.Demo;
using MicroComms.Messaging;
using MicroComms.Messaging.Stores;
using Microsoft.Extensions.Options;

namespace MicroComms.Host;

/// <summary>The command tree of the <c>microcomms</c> executable and the rules every command follows on failure.</summary>
public static class MicroCommsCommands
{
    /// <summary>Exit code for a command line or configuration that cannot run.</summary>
    public const int UsageError = 2;

    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("MicroComms: order services on a message bus. Without a command, runs the services and the gateway.");
        foreach (var option in CommandLineOptions.All)
        {
            root.Options.Add(option);
        }

        root.SetAction(Guarded(RunAsync));
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; a parse error prints its message (no stack trace) and exits with <see cref="UsageError"/>.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            await Console.Error.WriteLineAsync("Run 'microcomms --help' for usage.");
            return UsageError;
        }

        return await parse.InvokeAsync();
    }

    /// <summary>Turns the failures a person can fix (configuration, broker, ports) into one sentence and exit code 2.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Guarded(Func<ParseResult, CancellationToken, Task<int>> action) =>
        async (parse, ct) =>
        {
            try
            {
                return await action(parse, ct);
            }
            catch (Exception ex) when (ex is HostConfigurationException or OptionsValidationException or BrokerUnreachableException or StoreNotUsableException
                or IOException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"microcomms: {ex.Message}");
                return UsageError;
            }
        };

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken ct)
    {
        await using var app = MicroCommsApp.Build(CommandLineOptions.Overrides(parse));
        await app.StartAsync(ct);

        var host = app.Services.GetRequiredService<IOptions<MicroCommsHostOptions>>().Value;
        var transport = app.Configuration.GetValue("MicroComms:Transport", TransportKind.InMemory);
        var services = ServiceNames.Parse(host.Services);
        Console.WriteLine($"MicroComms running {string.Join(", ", services)} on the {transport} transport (data: {Path.GetFullPath(host.DataDirectory)}).");
        foreach (var address in MicroCommsApp.HttpAddresses(app))
        {
            Console.WriteLine(services.Contains(ServiceNames.Gateway) ? $"Gateway: {address}" : $"HTTP: {address}");
        }

        if (services.Contains(ServiceNames.Gateway) && !string.IsNullOrWhiteSpace(host.GrpcUrl))
        {
            Console.WriteLine($"gRPC (h2c): {host.GrpcUrl}");
        }

        if (MicroCommsApp.ConsoleAddress(app) is { } console)
        {
            Console.WriteLine($"Console: {console}");
        }

        Console.WriteLine("Press Ctrl+C to stop.");
        try
        {
            await app.WaitForShutdownAsync(ct);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }

        return 0;
    }
}
