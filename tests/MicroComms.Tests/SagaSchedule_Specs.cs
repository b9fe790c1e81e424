using MassTransit;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests;

public abstract class SagaSchedule_Specs(TestStore store) : StoreSpecs(store)
{
    [Fact]
    public async Task A_saga_schedule_is_delivered_by_the_durable_scheduler_when_due()
    {
        var done = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = MicroCommsTestHost.Build(
            BusTestHosts.InMemory(Database),
            s => s.AddSingleton(done),
            x => x.AddSagaStateMachine<PaymentWindowStateMachine, PaymentWindow>().InMemoryRepository());
        await host.StartAsync();

        var opened = DateTime.UtcNow;
        await host.Services.GetRequiredService<IBus>().Publish(new PaymentWindowOpened(Guid.NewGuid()));

        var expiredAt = await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(expiredAt - opened >= PaymentWindowStateMachine.Window, $"expired after {expiredAt - opened}");
        await host.StopAsync();
    }

    public sealed record PaymentWindowOpened(Guid OrderId);

    public sealed record PaymentWindowExpired(Guid OrderId);

    public sealed class PaymentWindow : SagaStateMachineInstance
    {
        public Guid CorrelationId { get; set; }

        public string CurrentState { get; set; } = "";

        public Guid? ExpiryToken { get; set; }
    }

    public sealed class PaymentWindowStateMachine : MassTransitStateMachine<PaymentWindow>
    {
        public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(800);

        public PaymentWindowStateMachine(TaskCompletionSource<DateTime> done)
        {
            InstanceState(x => x.CurrentState);
            Event(() => Opened, e => e.CorrelateById(m => m.Message.OrderId));
            Schedule(() => Expiry, x => x.ExpiryToken, s =>
            {
                s.Delay = Window;
                s.Received = r => r.CorrelateById(m => m.Message.OrderId);
            });

            Initially(When(Opened)
                .Schedule(Expiry, c => new PaymentWindowExpired(c.Saga.CorrelationId))
                .TransitionTo(Waiting));
            During(Waiting, When(Expiry!.Received)
                .Then(_ => done.TrySetResult(DateTime.UtcNow))
                .Finalize());
        }

        public State Waiting { get; private set; } = null!;

        public Event<PaymentWindowOpened> Opened { get; private set; } = null!;

        public Schedule<PaymentWindow, PaymentWindowExpired> Expiry { get; private set; } = null!;
    }
}

public sealed class SagaSchedule_Specs_on_Sqlite() : SagaSchedule_Specs(TestStore.Sqlite);

[Trait("Needs", "Postgres")]
public sealed class SagaSchedule_Specs_on_Postgres(PostgresFixture postgres) : SagaSchedule_Specs(postgres.Store), IClassFixture<PostgresFixture>;
