using MassTransit;
using MassTransit.Middleware;
using MicroComms.Messaging.Retry;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Tests;

public sealed class Retry_Specs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_consumer_that_fails_twice_then_succeeds_is_retried_immediately_and_succeeds()
    {
        var attempts = new Attempts();
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        using var host = MicroCommsTestHost.Build(settings, s => s.AddSingleton(attempts), x => x.AddConsumer<FlakyConsumer>());
        await host.StartAsync();

        await host.Services.GetRequiredService<IBus>().Publish(new FlakyWork("a"));
        await attempts.Succeeded.Task.WaitAsync(Timeout);

        Assert.Equal(3, attempts.All.Count);
        Assert.All(attempts.All, a => Assert.Equal(0, a.RedeliveryCount));
        Assert.Equal(0, attempts.FaultCount);
        await host.StopAsync();
    }

    [Fact]
    public async Task Without_immediate_retries_a_failing_consumer_is_redelivered_through_the_scheduler_no_earlier_than_each_interval()
    {
        var attempts = new Attempts();
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        settings["MicroComms:Retry:ImmediateLimit"] = "0";
        settings["MicroComms:Retry:RedeliveryIntervals:0"] = "00:00:00.400";
        settings["MicroComms:Retry:RedeliveryIntervals:1"] = "00:00:00.800";
        using var host = MicroCommsTestHost.Build(settings, s => s.AddSingleton(attempts), x => x.AddConsumer<FlakyConsumer>());
        await host.StartAsync();

        await host.Services.GetRequiredService<IBus>().Publish(new FlakyWork("b"));
        await attempts.Succeeded.Task.WaitAsync(Timeout);

        var all = attempts.All;
        Assert.Equal([0, 1, 2], all.Select(a => a.RedeliveryCount));
        Assert.True(all[1].At - all[0].At >= TimeSpan.FromMilliseconds(400), $"second attempt after {all[1].At - all[0].At}");
        Assert.True(all[2].At - all[1].At >= TimeSpan.FromMilliseconds(800), $"third attempt after {all[2].At - all[1].At}");
        await host.StopAsync();
    }

    [Fact]
    public void Immediate_retries_of_messages_failing_together_wait_different_times()
    {
        var policy = MicroCommsRetry.Immediate(new AllExceptions(), new RetryOptions());

        var firstDelays = Enumerable.Range(0, 10).Select(_ =>
        {
            using var policyContext = policy.CreatePolicyContext(new Message());
            Assert.True(policyContext.CanRetry(new InvalidOperationException("boom"), out var retry));
            return retry.Delay!.Value;
        }).ToList();

        Assert.True(firstDelays.Distinct().Count() > 1, $"every message waits {firstDelays[0]} before its first retry");
        Assert.All(firstDelays, d => Assert.InRange(d, new RetryOptions().MinInterval, new RetryOptions().MaxInterval));
    }

    [Fact]
    public void A_message_that_does_not_fail_builds_no_retry_schedule()
    {
        var policy = MicroCommsRetry.Immediate(new AllExceptions(), new RetryOptions());
        var message = new Message();
        policy.CreatePolicyContext(message).Dispose();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            using var policyContext = policy.CreatePolicyContext(message);
        }

        // Every message gets a policy context (MassTransit asks before the consumer runs): one small object, not a
        // policy with its interval table per message (296 bytes, what MicroComms built per message before).
        Assert.InRange((GC.GetAllocatedBytesForCurrentThread() - before) / 1_000, 0, 64);
    }

    [Fact]
    public async Task A_permanent_failure_is_not_retried_and_faults_once()
    {
        var attempts = new Attempts();
        using var host = await StartWithFaultObserverAsync<PermanentlyBrokenConsumer>(attempts);

        await host.Services.GetRequiredService<IBus>().Publish(new BrokenWork("c"));
        await attempts.Faulted.Task.WaitAsync(Timeout);

        Assert.Single(attempts.All);
        await host.StopAsync();
    }

    [Fact]
    public async Task An_OverflowException_is_tried_once_and_faults_without_retry_or_redelivery()
    {
        var attempts = new Attempts();
        using var host = await StartWithFaultObserverAsync<OverflowingConsumer>(attempts);

        await host.Services.GetRequiredService<IBus>().Publish(new OverflowingWork(decimal.MaxValue, 2));
        var fault = await attempts.Faulted.Task.WaitAsync(Timeout);

        Assert.Single(attempts.All);
        Assert.Equal(typeof(OverflowException).FullName, fault.Exceptions.Single().ExceptionType);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_definition_replaces_the_default_retry_policy_for_its_endpoint()
    {
        var attempts = new Attempts();
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        settings["MicroComms:Retry:ImmediateLimit"] = "5";
        using var host = MicroCommsTestHost.Build(
            settings,
            s => s.AddSingleton(attempts),
            x =>
            {
                x.AddConsumer<AlwaysFailingConsumer, AlwaysFailingConsumerDefinition>();
                x.AddConsumer<FaultObserver>();
            });
        await host.StartAsync();

        await host.Services.GetRequiredService<IBus>().Publish(new FailingWork("d"));
        await attempts.Faulted.Task.WaitAsync(Timeout);

        // The definition allows one immediate retry and no redelivery, instead of 5 retries and 3 redeliveries.
        Assert.Equal(2, attempts.All.Count);
        Assert.All(attempts.All, a => Assert.Equal(0, a.RedeliveryCount));
        await host.StopAsync();
    }

    public sealed record FlakyWork(string Name);

    public sealed record BrokenWork(string Name);

    public sealed record FailingWork(string Name);

    public sealed record OverflowingWork(decimal UnitPrice, int Quantity);

    public sealed class FlakyConsumer(Attempts attempts) : IConsumer<FlakyWork>
    {
        public Task Consume(ConsumeContext<FlakyWork> context)
        {
            if (attempts.Record(context) < 3)
            {
                throw new InvalidOperationException("transient failure");
            }

            attempts.Succeeded.TrySetResult();
            return Task.CompletedTask;
        }
    }

    public sealed class PermanentlyBrokenConsumer(Attempts attempts) : IConsumer<BrokenWork>
    {
        public Task Consume(ConsumeContext<BrokenWork> context)
        {
            attempts.Record(context);
            throw new PermanentFailureException("cannot ever work");
        }
    }

    public sealed class OverflowingConsumer(Attempts attempts) : IConsumer<OverflowingWork>
    {
        public Task Consume(ConsumeContext<OverflowingWork> context)
        {
            attempts.Record(context);
            _ = context.Message.UnitPrice * context.Message.Quantity;
            return Task.CompletedTask;
        }
    }

    public sealed class AlwaysFailingConsumer(Attempts attempts) : IConsumer<FailingWork>
    {
        public Task Consume(ConsumeContext<FailingWork> context)
        {
            attempts.Record(context);
            throw new InvalidOperationException("always");
        }
    }

    public sealed class AlwaysFailingConsumerDefinition : ConsumerDefinition<AlwaysFailingConsumer>
    {
        protected override void ConfigureConsumer(
            IReceiveEndpointConfigurator endpointConfigurator,
            IConsumerConfigurator<AlwaysFailingConsumer> consumerConfigurator,
            IRegistrationContext context)
        {
            endpointConfigurator.ReplaceMicroCommsRetry(context, new RetryOptions { ImmediateLimit = 1, DelayedRedelivery = false });
        }
    }

    public sealed class FaultObserver(Attempts attempts) : IConsumer<Fault<BrokenWork>>, IConsumer<Fault<FailingWork>>, IConsumer<Fault<OverflowingWork>>
    {
        public Task Consume(ConsumeContext<Fault<BrokenWork>> context) => Seen(context.Message);

        public Task Consume(ConsumeContext<Fault<FailingWork>> context) => Seen(context.Message);

        public Task Consume(ConsumeContext<Fault<OverflowingWork>> context) => Seen(context.Message);

        private Task Seen(Fault fault)
        {
            attempts.RecordFault(fault);
            return Task.CompletedTask;
        }
    }

    private sealed class Message : BasePipeContext;

    private sealed class AllExceptions : IExceptionFilter
    {
        public void Probe(ProbeContext context)
        {
        }

        public bool Match(Exception exception) => true;
    }

    /// <summary>A started host whose consumer <typeparamref name="TConsumer"/> fails, with redelivery after 100 ms and the fault observed.</summary>
    private static async Task<IHost> StartWithFaultObserverAsync<TConsumer>(Attempts attempts)
        where TConsumer : class, IConsumer
    {
        var settings = BusTestHosts.InMemory(MicroCommsTestHost.TempDatabase());
        settings["MicroComms:Retry:RedeliveryIntervals:0"] = "00:00:00.100";
        var host = MicroCommsTestHost.Build(
            settings,
            s => s.AddSingleton(attempts),
            x =>
            {
                x.AddConsumer<TConsumer>();
                x.AddConsumer<FaultObserver>();
            });
        await host.StartAsync();
        return host;
    }
}
