using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>
/// Issue 21's goal of a first paint within 300 ms per console page with 10,000 messages parked and 100,000 order
/// workflows: measured in chromium and PRINTED (a table in the test output and in screenshots/first-paint.md), never
/// asserted, since the machine's load decides the figure. The benchmark README keeps the figures of a run.
/// </summary>
[Trait("Needs", "Broker")]
[Trait("Needs", "Browser")]
[Trait("Speed", "Slow")]
public sealed class ConsoleFirstPaint_Specs(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const int Parked = 10_000;
    private const int Workflows = 100_000;
    private const int Loads = 7;
    private const string ErrorQueue = "charge-payment_error";

    [Fact]
    public async Task Each_console_page_first_paints_with_10000_messages_parked_and_100000_workflows_and_the_figures_are_printed()
    {
        var node = await Testing.RabbitMqNode.StartDefaultAsync();
        var virtualHost = await node.CreateVirtualHostAsync("console-paint");
        try
        {
            await using var services = await ConsoleServices.StartAsync(node, virtualHost, paymentsFail: false);
            using var seeding = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var clock = Stopwatch.StartNew();
            var messageId = await ParkedMessages.SeedAsync(node, virtualHost, ErrorQueue, Parked, seeding.Token);
            output.WriteLine($"parked {Parked} messages in {clock.ElapsedMilliseconds} ms");
            clock.Restart();
            var stuckOrder = await SagaRows.SeedAsync(services.OrdersConnectionString, Workflows, seeding.Token);
            output.WriteLine($"wrote {Workflows} saga rows in {clock.ElapsedMilliseconds} ms");
            Assert.Equal((uint)Parked, await node.MessageCountAsync(virtualHost, ErrorQueue));

            var context = await browser.Browser.NewContextAsync(new() { BaseURL = services.Console.ToString() });
            var page = await context.NewPageAsync();
            var login = await MeasureAsync(page, ConsolePages.Login);
            await ConsolePages.LogInAsync(page, ConsoleServices.Password);

            List<(string Page, Paint Paint)> rows = [("login", login)];
            foreach (var (name, path) in new[]
            {
                ("queues", ConsolePages.Queues),
                ("error queue (10,000 parked)", ConsolePages.Queue(ErrorQueue)),
                ("one message", ConsolePages.Message(ErrorQueue, messageId)),
                ("outbox", ConsolePages.Outbox),
                ("sagas (100,000 rows)", ConsolePages.Sagas),
                ("one timeline", ConsolePages.Timeline(stuckOrder)),
                ("scheduler", ConsolePages.Scheduler),
            })
            {
                rows.Add((name, await MeasureAsync(page, path)));
            }

            await context.CloseAsync();
            var table = Table(rows);
            output.WriteLine(table);
            Directory.CreateDirectory(Screenshots.Folder);
            await File.WriteAllTextAsync(Path.Combine(Screenshots.Folder, "first-paint.md"), table);
            Assert.All(rows, r => Assert.True(r.Paint.FirstContentfulPaint > 0, $"{r.Page}: chromium recorded no first contentful paint"));
        }
        finally
        {
            await node.DeleteVirtualHostAsync(virtualHost);
        }
    }

    /// <summary>One warm-up load, then <see cref="Loads"/> measured ones; medians and the worst.</summary>
    private static async Task<Paint> MeasureAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        var fcp = new List<double>();
        var ttfb = new List<double>();
        for (var i = 0; i < Loads; i++)
        {
            var answer = await page.GotoAsync(path);
            Assert.True(answer!.Ok, $"{path} answered {answer.Status}");
            var timing = await page.EvaluateAsync<double[]>(
                """
                () => new Promise(resolve => {
                  const nav = performance.getEntriesByType('navigation')[0];
                  const done = fcp => resolve([fcp, nav.responseStart]);
                  new PerformanceObserver((list, observer) => {
                    const paint = list.getEntriesByName('first-contentful-paint')[0];
                    if (paint) { observer.disconnect(); done(paint.startTime); }
                  }).observe({ type: 'paint', buffered: true });
                  setTimeout(() => done(-1), 5000);
                })
                """);
            fcp.Add(timing[0]);
            ttfb.Add(timing[1]);
        }

        return new Paint(Median(fcp), fcp.Max(), Median(ttfb));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Table(IEnumerable<(string Page, Paint Paint)> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Console first paint in chromium, {Parked:N0} messages parked, {Workflows:N0} saga rows, median of {Loads} loads (goal <= 300 ms)");
        text.AppendLine();
        text.AppendLine("| Page | First contentful paint, median (ms) | worst (ms) | First byte, median (ms) | Goal |");
        text.AppendLine("|---|---:|---:|---:|---|");
        foreach (var (page, paint) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {page} | {paint.FirstContentfulPaint:F0} | {paint.Worst:F0} | {paint.FirstByte:F0} | {(paint.FirstContentfulPaint <= 300 ? "met" : "MISSED")} |");
        }

        return text.ToString();
    }

    private sealed record Paint(double FirstContentfulPaint, double Worst, double FirstByte);
}
