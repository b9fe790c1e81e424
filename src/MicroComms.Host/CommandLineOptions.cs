using System.CommandLine;
using MicroComms.Messaging;

namespace MicroComms.Host;

/// <summary>
/// The options every command shares. Each one, when given, overrides one configuration key, so the command
/// line, appsettings.json and MicroComms__* environment variables all feed the same options classes.
/// </summary>
public static class CommandLineOptions
{
    public static readonly Option<string?> Transport = new("--transport")
    {
        Description = "Message transport: inmemory (one process, the default) or rabbitmq.",
        Recursive = true,
    };

    public static readonly Option<string?> Services = new("--services")
    {
        Description = "Services to run in this process, comma-separated: orders,inventory,payments,notifications,gateway,console (default: all).",
        Recursive = true,
    };

    public static readonly Option<string?> Data = new("--data")
    {
        Description = "Folder of the SQLite databases (default: ./data).",
        Recursive = true,
    };

    public static readonly Option<string?> Urls = new("--urls")
    {
        Description = "HTTP addresses of the gateway and Inventory's endpoints, ';'-separated (default: http://127.0.0.1:5080).",
        Recursive = true,
    };

    public static readonly Option<string?> GrpcUrl = new("--grpc-url")
    {
        Description = "h2c address of the gRPC front door; empty turns it off (default: http://127.0.0.1:5081).",
        Recursive = true,
    };

    public static readonly Option<string?> ConsoleUrl = new("--console-url")
    {
        Description = "HTTP address of the operator web console; empty turns it off (default: http://127.0.0.1:5082).",
        Recursive = true,
    };

    static CommandLineOptions() => Transport.AcceptOnlyFromAmong("inmemory", "rabbitmq");

    public static IEnumerable<Option> All => [Transport, Services, Data, Urls, GrpcUrl, ConsoleUrl];

    /// <summary>The configuration keys the given options override.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (parse.GetValue(Transport) is { } transport)
        {
            overrides["MicroComms:Transport"] = transport.Equals("rabbitmq", StringComparison.OrdinalIgnoreCase)
                ? nameof(TransportKind.RabbitMq)
                : nameof(TransportKind.InMemory);
        }

        Set(overrides, parse, Services, nameof(MicroCommsHostOptions.Services));
        Set(overrides, parse, Data, nameof(MicroCommsHostOptions.DataDirectory));
        Set(overrides, parse, Urls, nameof(MicroCommsHostOptions.Urls));
        Set(overrides, parse, GrpcUrl, nameof(MicroCommsHostOptions.GrpcUrl));
        if (parse.GetResult(ConsoleUrl) is not null)
        {
            overrides[$"{WebConsole.ConsoleOptions.SectionName}:{nameof(WebConsole.ConsoleOptions.Url)}"] = parse.GetValue(ConsoleUrl) ?? "";
        }

        return overrides;
    }

    private static void Set(Dictionary<string, string?> overrides, ParseResult parse, Option<string?> option, string key)
    {
        if (parse.GetResult(option) is not null)
        {
            overrides[$"{MicroCommsHostOptions.SectionName}:{key}"] = parse.GetValue(option) ?? "";
        }
    }
}
