using MassTransit;

namespace MicroComms.Orders.Saga;

/// <summary>One order's workflow, persisted by the SQLite saga repository (one row per order, keyed by order id).</summary>
public sealed class OrderState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }

    public int Version { get; set; }

    /// <summary>One of <see cref="OrderStates"/>.</summary>
    public string CurrentState { get; set; } = "";

    public string CustomerId { get; set; } = "";

    public decimal Total { get; set; }

    /// <summary>Why the order faulted or was cancelled.</summary>
    public string? Reason { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>When the order reached Completed, Faulted or Cancelled.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The provider's payment id, kept so a payment that arrives too late can be refunded.</summary>
    public Guid? PaymentId { get; set; }

    /// <summary>Token of the scheduled <c>PaymentTimedOut</c>; null when none is pending.</summary>
    public Guid? PaymentTimeoutTokenId { get; set; }

    /// <summary>
    /// Every state change, oldest first (at most <see cref="OrderTransitionRecorder.MaxKept"/>; past that the oldest
    /// are dropped). One text column of the row, so a change and its record commit, or are lost to a race, together.
    /// </summary>
    public List<OrderStateTransition> Transitions { get; set; } = [];
}
