using MassTransit;

namespace MicroComms.Tests.Sagas;

/// <summary>A small saga that exercises every repository path: insert, update, query by expression, delete.</summary>
public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public static readonly TimeSpan SimulatedWork = TimeSpan.FromMilliseconds(5);

    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => Started, e => e.CorrelateById(m => m.Message.CounterId));
        Event(() => Incremented, e => e.CorrelateById(m => m.Message.CounterId));
        Event(() => Finished, e => e.CorrelateById(m => m.Message.CounterId));
        Event(() => Tagged, e => e.CorrelateBy((saga, m) => saga.Name == m.Message.Name));

        // Incremented may also create the counter, so many racing increments for a new id also race the insert.
        Initially(
            When(Started)
                .Then(c => c.Saga.Name = c.Message.Name)
                .TransitionTo(Active),
            When(Incremented)
                .Then(c => c.Saga.Count++)
                .Publish(c => new CounterChanged(c.Saga.CorrelationId, c.Saga.Count))
                .TransitionTo(Active));

        During(Active,
            When(Started)
                .Then(c => c.Saga.Name = c.Message.Name),
            When(Incremented)
                .ThenAsync(async c =>
                {
                    // Work between reading the state and writing it back: the window other events race into.
                    await Task.Delay(SimulatedWork, c.CancellationToken);
                    c.Saga.Count++;
                })
                .Publish(c => new CounterChanged(c.Saga.CorrelationId, c.Saga.Count)),
            When(Tagged)
                .Then(c => c.Saga.Tag = c.Message.Tag),
            When(Finished)
                .Finalize());

        SetCompletedWhenFinalized();
    }

    public State Active { get; private set; } = null!;

    public Event<StartCounter> Started { get; private set; } = null!;

    public Event<IncrementCounter> Incremented { get; private set; } = null!;

    public Event<TagCounter> Tagged { get; private set; } = null!;

    public Event<FinishCounter> Finished { get; private set; } = null!;
}
