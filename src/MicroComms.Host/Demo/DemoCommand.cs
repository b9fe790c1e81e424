using System.CommandLine;

namespace MicroComms.Host.Demo;

/// <summary><c>microcomms demo --orders N</c>: starts everything, places orders through the HTTP API and reports.</summary>
public static class DemoCommand
{
    public static readonly Option<int?> Orders = new("--orders") { Description = "How many orders to place (default: 200)." };

    public static readonly Option<int?> Concurrency = new("--concurrency") { Description = "HTTP requests in flight at once (default: 16)." };

    public static readonly Option<int?> TimeoutSeconds = new("--timeout")
    {
        Description = "Seconds every order has, after the last is placed, to reach a final state (default: 120).",
    };

    public static Command Create()
    {
        var demo = new Command("demo", "Start every service, place orders through the gateway, wait for each to end, and print a table. Exits 1 if any order is left pending.");
        demo.Options.Add(Orders);
        demo.Options.Add(Concurrency);
        demo.Options.Add(TimeoutSeconds);
        demo.SetAction(MicroCommsCommands.Guarded(DemoRunner.RunAsync));
        return demo;
    }
}
