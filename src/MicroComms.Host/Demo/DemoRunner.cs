using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using MicroComms.Contracts;
using MicroComms.Messaging;
using MicroComms.Orders;
using MicroComms.Payments;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace MicroComms.Host.Demo;

/// <summary>Runs the demo: one process with every service, orders through the REST API, a table at the end.</summary>
public static class DemoRunner
{
    public static async Task<int> RunAsync(ParseResult parse, CancellationToken ct)
    {
        var overrides = CommandLineOptions.Overrides(parse);
        // A free port and no gRPC port, so a demo never collides with a running MicroComms; quiet logs under the progress bars.
        overrides.TryAdd($"{MicroCommsHostOptions.SectionName}:{nameof(MicroCommsHostOptions.Urls)}", "http://127.0.0.1:0");
        overrides.TryAdd($"{MicroCommsHostOptions.SectionName}:{nameof(MicroCommsHostOptions.GrpcUrl)}", "");
        overrides["Logging:LogLevel:Default"] = "Warning";
        overrides["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning";
        // Transient payment failures are retried by design; their R-RETRY warnings would drown the progress display.
        overrides["Logging:LogLevel:MassTransit"] = "Error";
        SetIfGiven(overrides, parse, DemoCommand.Orders, nameof(DemoOptions.Orders));
        SetIfGiven(overrides, parse, DemoCommand.Concurrency, nameof(DemoOptions.Concurrency));
        if (parse.GetValue(DemoCommand.TimeoutSeconds) is { } seconds)
        {
            overrides[$"{DemoOptions.SectionName}:{nameof(DemoOptions.Timeout)}"] = TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);
        }

        await using var app = MicroCommsApp.Build(overrides);
        var options = app.Configuration.GetSection(DemoOptions.SectionName).Get<DemoOptions>() ?? new DemoOptions();
        var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new System.ComponentModel.DataAnnotations.ValidationContext(options), problems, validateAllProperties: true))
        {
            throw new HostConfigurationException("Demo options: " + string.Join(" ", problems.Select(p => p.ErrorMessage)));
        }

        await app.StartAsync(ct);
        var transport = app.Configuration.GetValue("MicroComms:Transport", TransportKind.InMemory);
        var gateway = MicroCommsApp.HttpAddresses(app)[0];
        var declineAbove = app.Services.GetRequiredService<IOptions<PaymentsOptions>>().Value.DeclineAbove;
        AnsiConsole.MarkupLine($"MicroComms demo: [bold]{options.Orders}[/] orders through {gateway} on the [bold]{transport}[/] transport.");

        using var http = new HttpClient { BaseAddress = gateway };
        var results = DemoOrderFactory.Create(options, declineAbove).Select(o => new DemoResult(o)).ToList();
        var clock = Stopwatch.StartNew();
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var placing = progress.AddTask("Placing orders", maxValue: results.Count);
                var ending = progress.AddTask("Final states", maxValue: results.Count);
                await PlaceAsync(http, results, options, placing, ending, ct);
                await PollAsync(http, results, options, ending, ct);
            });
        clock.Stop();

        await app.StopAsync(CancellationToken.None);
        Report(results, clock.Elapsed, transport);
        return results.Any(r => r.Outcome is DemoOutcome.Pending or DemoOutcome.Failed) ? 1 : 0;
    }

    private static async Task PlaceAsync(
        HttpClient http, List<DemoResult> results, DemoOptions options, ProgressTask placing, ProgressTask ending, CancellationToken ct)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct };
        await Parallel.ForEachAsync(results, parallel, async (result, token) =>
        {
            try
            {
                using var response = await http.PostAsJsonAsync("/orders", result.Order.Request, token);
                (result.Outcome, result.Detail) = response.StatusCode switch
                {
                    HttpStatusCode.Accepted => (DemoOutcome.Pending, null),
                    HttpStatusCode.BadRequest => (DemoOutcome.Invalid, null),
                    HttpStatusCode.UnprocessableEntity => (DemoOutcome.Rejected, null),
                    var other => (DemoOutcome.Failed, $"POST /orders answered {(int)other}"),
                };
            }
            catch (HttpRequestException ex)
            {
                (result.Outcome, result.Detail) = (DemoOutcome.Failed, ex.Message);
            }

            placing.Increment(1);
            if (result.Outcome != DemoOutcome.Pending)
            {
                ending.Increment(1);
            }
        });
    }

    private static async Task PollAsync(HttpClient http, List<DemoResult> results, DemoOptions options, ProgressTask ending, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct };
        while (deadline.Elapsed < options.Timeout)
        {
            var pending = results.Where(r => r.Outcome == DemoOutcome.Pending).ToList();
            if (pending.Count == 0)
            {
                return;
            }

            await Parallel.ForEachAsync(pending, parallel, async (result, token) =>
            {
                using var response = await http.GetAsync($"/orders/{result.Order.Request.OrderId}", token);
                if (!response.IsSuccessStatusCode)
                {
                    return;
                }

                var status = await response.Content.ReadFromJsonAsync<OrderStatus>(token);
                if (status is null || !OrderStates.IsFinal(status.State))
                {
                    return;
                }

                result.Outcome = status.State switch
                {
                    OrderStates.Completed => DemoOutcome.Completed,
                    OrderStates.Cancelled => DemoOutcome.Cancelled,
                    _ => DemoOutcome.Faulted,
                };
                result.Detail = status.Reason;
                result.TimeToFinal = (status.FinishedAt ?? status.UpdatedAt) - status.SubmittedAt;
                ending.Increment(1);
            });
            await Task.Delay(options.PollInterval, ct);
        }
    }

    private static void Report(List<DemoResult> results, TimeSpan elapsed, TransportKind transport)
    {
        int Count(DemoOutcome outcome) => results.Count(r => r.Outcome == outcome);
        var times = results.Where(r => r.TimeToFinal is not null).Select(r => r.TimeToFinal!.Value.TotalMilliseconds).Order().ToList();
        var unexpected = results.Count(r => !AsExpected(r));

        var table = new Table().Title($"MicroComms demo ({transport})").AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("placed (202 Accepted)", results.Count(r => r.Outcome is DemoOutcome.Completed or DemoOutcome.Faulted or DemoOutcome.Cancelled or DemoOutcome.Pending).ToString(CultureInfo.InvariantCulture));
        table.AddRow("completed", Count(DemoOutcome.Completed).ToString(CultureInfo.InvariantCulture));
        table.AddRow("faulted", Count(DemoOutcome.Faulted).ToString(CultureInfo.InvariantCulture));
        table.AddRow("cancelled", Count(DemoOutcome.Cancelled).ToString(CultureInfo.InvariantCulture));
        table.AddRow("rejected (400 bad input)", Count(DemoOutcome.Invalid).ToString(CultureInfo.InvariantCulture));
        table.AddRow("rejected (422 by Orders)", Count(DemoOutcome.Rejected).ToString(CultureInfo.InvariantCulture));
        table.AddRow("pending at timeout", Count(DemoOutcome.Pending).ToString(CultureInfo.InvariantCulture));
        table.AddRow("failed requests", Count(DemoOutcome.Failed).ToString(CultureInfo.InvariantCulture));
        table.AddRow("outcome not as intended", unexpected.ToString(CultureInfo.InvariantCulture));
        table.AddRow("p50 time to final state", Percentile(times, 0.50));
        table.AddRow("p99 time to final state", Percentile(times, 0.99));
        table.AddRow("wall clock", $"{elapsed.TotalSeconds:F1} s");
        AnsiConsole.Write(table);
        foreach (var failed in results.Where(r => r.Outcome == DemoOutcome.Failed).Take(5))
        {
            AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[red]order {failed.Order.Number}: {failed.Detail}[/]");
        }
    }

    private static bool AsExpected(DemoResult result) => result.Order.Kind switch
    {
        DemoOrderKind.Normal => result.Outcome == DemoOutcome.Completed,
        DemoOrderKind.BadInput => result.Outcome == DemoOutcome.Invalid,
        DemoOrderKind.UnknownCustomer => result.Outcome == DemoOutcome.Rejected,
        DemoOrderKind.Declined => result.Outcome == DemoOutcome.Faulted,
        _ => false,
    };

    private static string Percentile(List<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return "n/a";
        }

        var index = (int)Math.Ceiling(p * sorted.Count) - 1;
        return $"{sorted[Math.Clamp(index, 0, sorted.Count - 1)]:F0} ms";
    }

    private static void SetIfGiven(Dictionary<string, string?> overrides, ParseResult parse, Option<int?> option, string key)
    {
        if (parse.GetValue(option) is { } value)
        {
            overrides[$"{DemoOptions.SectionName}:{key}"] = value.ToString(CultureInfo.InvariantCulture);
        }
    }
}
