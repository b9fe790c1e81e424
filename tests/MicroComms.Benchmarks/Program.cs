using System.CommandLine;
using MicroComms.Benchmarks;

var scenarios = new Argument<string[]>("scenarios")
{
    Description = "Scenarios to run (default: all): " + string.Join(", ", BenchRunner.ScenarioNames),
    Arity = ArgumentArity.ZeroOrMore,
};
var defaults = new BenchSettings();
var messages = new Option<int>("--messages") { Description = "Messages per throughput round", DefaultValueFactory = _ => defaults.Messages };
var warmup = new Option<int>("--warmup") { Description = "Messages or requests before measuring", DefaultValueFactory = _ => defaults.Warmup };
var duration = new Option<double>("--duration") { Description = "Seconds per latency variant and caller count", DefaultValueFactory = _ => defaults.Duration.TotalSeconds };
var rounds = new Option<int>("--rounds") { Description = "Measured rounds per scenario", DefaultValueFactory = _ => defaults.Rounds };
var window = new Option<int>("--window") { Description = "Publishes in flight in throughput scenarios", DefaultValueFactory = _ => defaults.PublishWindow };
var orders = new Option<int>("--orders") { Description = "Orders per saga round", DefaultValueFactory = _ => defaults.Orders };
var orderWarmup = new Option<int>("--order-warmup") { Description = "Orders before measuring the saga", DefaultValueFactory = _ => defaults.OrderWarmup };
var orderWindow = new Option<int>("--order-window") { Description = "Order workflows in flight in the saga scenario", DefaultValueFactory = _ => defaults.OrderWindow };
var steadyRate = new Option<int>("--steady-rate") { Description = "Messages per second of the outbox steady-rate run", DefaultValueFactory = _ => defaults.SteadyRate };
var steadyDuration = new Option<double>("--steady-duration") { Description = "Seconds each outbox steady-rate run publishes", DefaultValueFactory = _ => defaults.SteadyDuration.TotalSeconds };
var roundTimeout = new Option<double>("--round-timeout") { Description = "Seconds a round may take before it is reported as stuck", DefaultValueFactory = _ => defaults.RoundTimeout.TotalSeconds };
var results = new Option<string>("--results") { Description = "Folder for the markdown table and SVG charts", DefaultValueFactory = _ => defaults.ResultsDirectory! };

var list = new Option<bool>("--list") { Description = "Print the scenario names, one a line, and run nothing" };

var root = new RootCommand("MicroComms benchmarks: throughput and latency against raw RabbitMQ.Client and peers, over a local broker.")
{
    scenarios, messages, warmup, duration, rounds, window, orders, orderWarmup, orderWindow, steadyRate, steadyDuration, roundTimeout, results, list,
};
root.SetAction(async (parse, cancellationToken) =>
{
    if (parse.GetValue(list))
    {
        foreach (var name in BenchRunner.ScenarioNames)
        {
            Console.WriteLine(name);
        }

        return 0;
    }

    var settings = new BenchSettings
    {
        Scenarios = parse.GetValue(scenarios) ?? [],
        Messages = parse.GetValue(messages),
        Warmup = parse.GetValue(warmup),
        Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
        Rounds = parse.GetValue(rounds),
        PublishWindow = parse.GetValue(window),
        Orders = parse.GetValue(orders),
        OrderWarmup = parse.GetValue(orderWarmup),
        OrderWindow = parse.GetValue(orderWindow),
        SteadyRate = parse.GetValue(steadyRate),
        SteadyDuration = TimeSpan.FromSeconds(parse.GetValue(steadyDuration)),
        RoundTimeout = TimeSpan.FromSeconds(parse.GetValue(roundTimeout)),
        ResultsDirectory = parse.GetValue(results),
    };
    var command = "dotnet run -c Release --project tests/MicroComms.Benchmarks -- " + string.Join(' ', args);
    var report = await BenchRunner.RunAsync(settings, command.TrimEnd(), Console.Out, cancellationToken);
    Console.WriteLine();
    Console.WriteLine(report.Markdown);
    return 0;
});
return await root.Parse(args).InvokeAsync();
