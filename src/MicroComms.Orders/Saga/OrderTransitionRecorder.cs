using System.Collections.Concurrent;
using MassTransit;

namespace MicroComms.Orders.Saga;

/// <summary>
/// Appends an <see cref="OrderStateTransition"/> to the saga whenever its state changes. MassTransit calls a state
/// observer from the transition itself (the state accessor's write), inside the event's behavior and before the
/// repository saves the row, so the record only changes the instance in memory: it is saved by the saga's own write,
/// discarded with it when that write loses a race or the message fails, and it decides nothing the workflow does.
/// </summary>
internal sealed class OrderTransitionRecorder(TimeProvider clock) : IStateObserver<OrderState>
{
    /// <summary>
    /// Transitions kept per order. The workflow makes at most three; the bound only keeps a row small if a future
    /// change ever loops, in which case the oldest are dropped (SubmittedAt still says when the order began).
    /// </summary>
    public const int MaxKept = 100;

    // Event -> the name of the message behind it (a schedule's Received event is named after the schedule).
    private static readonly ConcurrentDictionary<Event, string> MessageNames = new();

    public Task StateChanged(BehaviorContext<OrderState> context, State currentState, State? previousState)
    {
        // A new instance is first set to Initial before its event moves it on: no step an operator needs.
        if (currentState.Equals(context.StateMachine.Initial))
        {
            return Task.CompletedTask;
        }

        var transitions = context.Saga.Transitions;
        if (transitions.Count >= MaxKept)
        {
            transitions.RemoveRange(0, transitions.Count - MaxKept + 1);
        }

        transitions.Add(new OrderStateTransition(clock.GetUtcNow(), MessageName(context.Event), currentState.Name, context.Saga.Reason));
        return Task.CompletedTask;
    }

    private static string MessageName(Event @event) =>
        MessageNames.GetOrAdd(@event, e => e.GetType().GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Event<>))
            .Select(i => i.GetGenericArguments()[0].Name)
            .FirstOrDefault() ?? e.Name);
}
