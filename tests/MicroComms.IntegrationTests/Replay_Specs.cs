using System.Collections.Concurrent;
using MassTransit;
using MicroComms.Host.Errors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace MicroComms.IntegrationTests;

[Collection(BrokerCollection.Name)]
public sealed class Replay_Specs(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_parked_message_is_listed_shown_and_after_the_fix_replayed_and_consumed_once()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("replay");
        try
        {
            var ledger = new Ledger { Broken = true };
            var settings = Settings(vhost);
            using var host = Build(settings, ledger);
            await host.StartAsync();

            await host.Services.GetRequiredService<IBus>().Publish(new Invoice(7));
            await WaitForCountAsync(vhost, "invoice_error", 1);

            var list = await ErrorsCli.RunAsync(settings, "errors", "list");
            output.WriteLine(list.Output);
            Assert.Equal(ExitCodes.Ok, list.ExitCode);
            Assert.Matches(@"invoice_error\s*│\s*1\s", list.Output);

            var show = await ErrorsCli.RunAsync(settings, "errors", "show", "invoice_error", "--count", "5");
            output.WriteLine(show.Output);
            Assert.Equal(ExitCodes.Ok, show.ExitCode);
            var failedId = Assert.Single(ledger.Failures.Keys);
            Assert.Contains(failedId.ToString(), show.Output, StringComparison.Ordinal);
            Assert.Contains("InvalidOperationException", show.Output, StringComparison.Ordinal);

            var usage = await ErrorsCli.RunAsync(settings, "errors", "replay", "invoice_error");
            Assert.Equal(ExitCodes.Usage, usage.ExitCode);
            var unknown = await ErrorsCli.RunAsync(settings, "errors", "replay", "invoice_error", "--message-id", Guid.NewGuid().ToString());
            Assert.Equal(ExitCodes.Failure, unknown.ExitCode);
            var missing = await ErrorsCli.RunAsync(settings, "errors", "show", "nothing_error");
            Assert.Equal(ExitCodes.Failure, missing.ExitCode);
            Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);

            ledger.Broken = false;
            var replay = await ErrorsCli.RunAsync(settings, "errors", "replay", "invoice_error", "--message-id", failedId.ToString());
            output.WriteLine(replay.Output + replay.Error);
            Assert.Equal(ExitCodes.Ok, replay.ExitCode);

            await ledger.WaitForDistinctAsync(1, Timeout);
            Assert.Equal(0u, await broker.Node.MessageCountAsync(vhost, "invoice_error"));
            Assert.Equal(1, ledger.Consumed[failedId]);

            var refused = await ErrorsCli.RunAsync(settings, "errors", "purge", "invoice_error");
            Assert.Equal(ExitCodes.Usage, refused.ExitCode);
            var purge = await ErrorsCli.RunAsync(settings, "errors", "purge", "invoice_error", "--yes");
            Assert.Equal(ExitCodes.Ok, purge.ExitCode);
            await host.StopAsync();
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task A_replay_of_1000_messages_killed_midway_and_run_again_loses_none()
    {
        const int Messages = 1000;
        var vhost = await broker.Node.CreateVirtualHostAsync("replay-kill");
        try
        {
            var ledger = new Ledger { Broken = true };
            var settings = Settings(vhost);
            // Disposed only at the end: MassTransit keeps the first host's logger factory in its ambient log
            // context, and a second host built in the same flow after a dispose would use a disposed one.
            using var failing = Build(settings, ledger);
            await failing.StartAsync();
            var bus = failing.Services.GetRequiredService<IBus>();
            await Task.WhenAll(Enumerable.Range(0, Messages).Select(i => bus.Publish(new Invoice(i))));
            await WaitForCountAsync(vhost, "invoice_error", Messages);
            await failing.StopAsync();

            Assert.Equal(Messages, ledger.Failures.Count);

            // First replay in a child process, killed as soon as it reports 200 replayed (it prints every 100).
            using (var child = ErrorsCli.Start(settings, "errors", "replay", "invoice_error", "--all"))
            {
                using var deadline = new CancellationTokenSource(Timeout);
                string? line;
                while ((line = await child.StandardOutput.ReadLineAsync(deadline.Token)) is not null && !line.StartsWith("replayed 200/", StringComparison.Ordinal))
                {
                    output.WriteLine("child: " + line);
                }

                Assert.NotNull(line);
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(deadline.Token);
            }

            var backOnQueue = await broker.Node.MessageCountAsync(vhost, "invoice") ?? 0;
            var stillParked = await WaitForSettledCountAsync(vhost, "invoice_error");
            output.WriteLine($"after the kill: {backOnQueue} on invoice, {stillParked} still in invoice_error");
            Assert.True(stillParked > 0, "the kill came after the replay finished");
            Assert.True(backOnQueue + stillParked >= Messages, $"lost messages: {backOnQueue} + {stillParked} < {Messages}");

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var again = await ErrorsCli.RunAsync(settings, "errors", "replay", "invoice_error", "--all");
            output.WriteLine(again.Output + again.Error);
            output.WriteLine($"second replay of {stillParked} messages took {clock.ElapsedMilliseconds} ms");
            Assert.Equal(ExitCodes.Ok, again.ExitCode);
            Assert.Equal(0u, await broker.Node.MessageCountAsync(vhost, "invoice_error"));

            ledger.Broken = false;
            using var fixedHost = Build(settings, ledger);
            await fixedHost.StartAsync();
            await ledger.WaitForDistinctAsync(Messages, Timeout);
            await WaitForCountAsync(vhost, "invoice", 0);
            await fixedHost.StopAsync();

            var duplicates = ledger.Consumed.Values.Sum() - ledger.Consumed.Count;
            output.WriteLine($"consumed {ledger.Consumed.Count} distinct message ids, {duplicates} duplicate deliveries (the inbox will drop these)");
            Assert.Equal(Messages, ledger.Consumed.Count);
            Assert.True(ledger.Failures.Keys.All(ledger.Consumed.ContainsKey));
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    private Dictionary<string, string?> Settings(string vhost)
    {
        var settings = BrokerHosts.Settings(broker.Node, vhost, BrokerHosts.TempDatabase());
        settings["MicroComms:Retry:ImmediateLimit"] = "0";
        settings["MicroComms:Retry:DelayedRedelivery"] = "false";
        return settings;
    }

    private static IHost Build(Dictionary<string, string?> settings, Ledger ledger) =>
        BrokerHosts.Build(settings, s => s.AddSingleton(ledger), x => x.AddConsumer<InvoiceConsumer>());

    private async Task WaitForCountAsync(string vhost, string queue, uint expected)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (await broker.Node.MessageCountAsync(vhost, queue) != expected)
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    /// <summary>The count once unacknowledged deliveries of the killed process have been returned (two equal reads).</summary>
    private async Task<uint> WaitForSettledCountAsync(string vhost, string queue)
    {
        uint? last = null;
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            var now = await broker.Node.MessageCountAsync(vhost, queue) ?? 0;
            if (now == last)
            {
                return now;
            }

            last = now;
            await Task.Delay(500, deadline.Token);
        }
    }

    public sealed record Invoice(int Number);

    public sealed class Ledger
    {
        private volatile bool _broken;

        public bool Broken
        {
            get => _broken;
            set => _broken = value;
        }

        public ConcurrentDictionary<Guid, int> Failures { get; } = new();

        public ConcurrentDictionary<Guid, int> Consumed { get; } = new();

        public async Task WaitForDistinctAsync(int count, TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            while (Consumed.Count < count)
            {
                await Task.Delay(20, deadline.Token);
            }
        }
    }

    public sealed class InvoiceConsumer(Ledger ledger) : IConsumer<Invoice>
    {
        public Task Consume(ConsumeContext<Invoice> context)
        {
            var id = context.MessageId ?? Guid.Empty;
            if (ledger.Broken)
            {
                ledger.Failures.AddOrUpdate(id, 1, (_, n) => n + 1);
                throw new InvalidOperationException($"invoice {context.Message.Number} cannot be booked yet");
            }

            ledger.Consumed.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }
    }
}
