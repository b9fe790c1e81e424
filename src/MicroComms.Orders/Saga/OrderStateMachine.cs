using MassTransit;
using MicroComms.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MicroComms.Orders.Saga;

/// <summary>
/// The order workflow: reserve stock, charge, complete; undo the reservation when payment fails, times out or
/// the customer cancels. Outgoing messages go through the saga's ConsumeContext, so they leave only once the
/// state change is saved (the endpoint's outbox, see <see cref="OrderStateDefinition"/>).
/// <para>
/// Every event is handled on purpose in every state (duplicates and late arrivals included):
/// </para>
/// <list type="table">
/// <item><term>OrderSubmitted</term><description>starts the saga; a repeat is ignored (the saga row is keyed by order id).</description></item>
/// <item><term>StockReserved</term><description>Submitted: charge and schedule the payment timeout. Any later state: a duplicate, ignored.
/// Cancelled: also ignored, because the ReleaseStock sent on cancel gives this reservation back whichever of the two Inventory handles first.</description></item>
/// <item><term>StockReservationFailed</term><description>Submitted: fault (nothing to compensate). Cancelled: expected (the cancel's release got there first). Elsewhere: a duplicate.</description></item>
/// <item><term>PaymentCompleted</term><description>AwaitingPayment: complete. Completed: duplicate. Faulted (after the timeout) or Cancelled:
/// the money came too late and the stock is already released, so the payment is refunded (Payments records a refund once per order).</description></item>
/// <item><term>PaymentFailed</term><description>AwaitingPayment: release stock, fault. Faulted/Cancelled: late, nothing was charged and the stock is already released.</description></item>
/// <item><term>PaymentTimedOut</term><description>AwaitingPayment: release stock, fault. Elsewhere: a stale timeout (the scheduler
/// may have sent it just before it was cancelled), ignored; MassTransit also drops one whose token no longer matches.</description></item>
/// <item><term>CancelOrder</term><description>Submitted/AwaitingPayment: release stock, cancel, answer accepted. Cancelled: accepted again (idempotent).
/// Completed/Faulted: rejected with the state. Unknown order: OrderNotFound.</description></item>
/// </list>
/// Events for an order with no saga are logged and dropped: only the saga sends the commands they answer.
/// </summary>
public sealed class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    private readonly TimeProvider _clock;
    private readonly ILogger<OrderStateMachine> _logger;

    public OrderStateMachine(IOptions<OrdersOptions> options, TimeProvider clock, ILogger<OrderStateMachine> logger)
    {
        _clock = clock;
        _logger = logger;
        var paymentTimeout = options.Value.PaymentTimeout;

        InstanceState(x => x.CurrentState);

        Event(() => OrderSubmitted, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => StockReserved, x => CorrelateOrDrop(x, m => m.OrderId));
        Event(() => StockReservationFailed, x => CorrelateOrDrop(x, m => m.OrderId));
        Event(() => PaymentCompleted, x => CorrelateOrDrop(x, m => m.OrderId));
        Event(() => PaymentFailed, x => CorrelateOrDrop(x, m => m.OrderId));
        Event(() => CancelOrder, x =>
        {
            x.CorrelateById(m => m.Message.OrderId);
            x.OnMissingInstance(m => m.ExecuteAsync(context => context.RespondAsync(new OrderNotFound(context.Message.OrderId))));
        });
        Schedule(() => PaymentTimeout, x => x.PaymentTimeoutTokenId, s =>
        {
            s.Delay = paymentTimeout;
            s.Received = r => CorrelateOrDrop(r, m => m.OrderId);
        });

        Initially(
            When(OrderSubmitted)
                .Then(context =>
                {
                    context.Saga.CustomerId = context.Message.CustomerId;
                    context.Saga.Total = context.Message.Total;

                    // In UTC: PostgreSQL's timestamptz takes no other offset, and a message may carry any.
                    context.Saga.SubmittedAt = context.Message.SubmittedAt.ToUniversalTime();
                    context.Saga.UpdatedAt = clock.GetUtcNow();
                })
                .Send(OrdersCommandAddresses.ReserveStock, context => new ReserveStock(context.Message.OrderId, context.Message.Lines))
                .TransitionTo(Submitted));

        During(Submitted,
            When(StockReserved)
                .Then(context => context.Saga.UpdatedAt = clock.GetUtcNow())
                .Send(OrdersCommandAddresses.ChargePayment, context => new ChargePayment(context.Saga.CorrelationId, context.Saga.CustomerId, context.Saga.Total))
                .Schedule(PaymentTimeout, context => new PaymentTimedOut(context.Saga.CorrelationId))
                .TransitionTo(AwaitingPayment),
            When(StockReservationFailed)
                .Then(context => Finish(context.Saga, $"Stock could not be reserved: {context.Message.Reason}"))
                .Publish(context => FaultedEvent(context.Saga))
                .TransitionTo(Faulted),
            When(CancelOrder)
                .Then(context => Finish(context.Saga, Cancellation(context.Message)))
                .Send(OrdersCommandAddresses.ReleaseStock, context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => CancelledEvent(context.Saga))
                .ThenAsync(context => context.RespondAsync(Accepted(context.Saga)))
                .TransitionTo(Cancelled),
            Unexpected(PaymentCompleted),
            Unexpected(PaymentFailed),
            Unexpected(PaymentTimeout.Received));

        During(AwaitingPayment,
            When(PaymentCompleted)
                .Unschedule(PaymentTimeout)
                .Then(context =>
                {
                    context.Saga.PaymentId = context.Message.PaymentId;
                    Finish(context.Saga, null);
                })
                .Publish(context => new OrderCompleted(context.Saga.CorrelationId, context.Saga.CustomerId, context.Saga.FinishedAt!.Value))
                .TransitionTo(Completed),
            When(PaymentFailed)
                .Unschedule(PaymentTimeout)
                .Then(context => Finish(context.Saga, $"Payment failed: {context.Message.Reason}"))
                .Send(OrdersCommandAddresses.ReleaseStock, context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => FaultedEvent(context.Saga))
                .TransitionTo(Faulted),
            When(PaymentTimeout.Received)
                .Then(context => Finish(context.Saga, $"Payment did not complete within {paymentTimeout}."))
                .Send(OrdersCommandAddresses.ReleaseStock, context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => FaultedEvent(context.Saga))
                .TransitionTo(Faulted),
            When(CancelOrder)
                .Unschedule(PaymentTimeout)
                .Then(context => Finish(context.Saga, Cancellation(context.Message)))
                .Send(OrdersCommandAddresses.ReleaseStock, context => new ReleaseStock(context.Saga.CorrelationId))
                .Publish(context => CancelledEvent(context.Saga))
                .ThenAsync(context => context.RespondAsync(Accepted(context.Saga)))
                .TransitionTo(Cancelled),
            Ignore(StockReserved),
            Unexpected(StockReservationFailed));

        During(Completed,
            When(CancelOrder)
                .ThenAsync(context => context.RespondAsync(Rejected(context.Saga, "The order is already paid."))),
            Ignore(StockReserved),
            Ignore(PaymentCompleted),
            Unexpected(StockReservationFailed),
            Unexpected(PaymentFailed),
            Ignore(PaymentTimeout.Received));

        During(Faulted,
            When(CancelOrder)
                .ThenAsync(context => context.RespondAsync(Rejected(context.Saga, $"The order has already faulted: {context.Saga.Reason}"))),
            When(PaymentCompleted)
                .Then(context => LogRefund(context, "faulted"))
                .Send(OrdersCommandAddresses.RefundPayment, context => Refund(context, "The order had faulted before the payment completed.")),
            Ignore(StockReserved),
            Ignore(StockReservationFailed),
            Ignore(PaymentFailed),
            Ignore(PaymentTimeout.Received));

        During(Cancelled,
            When(CancelOrder)
                .ThenAsync(context => context.RespondAsync(Accepted(context.Saga))),
            When(PaymentCompleted)
                .Then(context => LogRefund(context, "cancelled"))
                .Send(OrdersCommandAddresses.RefundPayment, context => Refund(context, "The order was cancelled before the payment completed.")),
            Ignore(StockReserved),
            Ignore(StockReservationFailed),
            Ignore(PaymentFailed),
            Ignore(PaymentTimeout.Received));

        DuringAny(Ignore(OrderSubmitted));

        // The operator console's timeline: every state change, written with the saga row (see the recorder).
        ConnectStateObserver(new OrderTransitionRecorder(clock));
    }

    public State Submitted { get; private set; } = null!;

    public State AwaitingPayment { get; private set; } = null!;

    public State Completed { get; private set; } = null!;

    public State Faulted { get; private set; } = null!;

    public State Cancelled { get; private set; } = null!;

    public Event<OrderSubmitted> OrderSubmitted { get; private set; } = null!;

    public Event<StockReserved> StockReserved { get; private set; } = null!;

    public Event<StockReservationFailed> StockReservationFailed { get; private set; } = null!;

    public Event<PaymentCompleted> PaymentCompleted { get; private set; } = null!;

    public Event<PaymentFailed> PaymentFailed { get; private set; } = null!;

    public Event<CancelOrder> CancelOrder { get; private set; } = null!;

    public Schedule<OrderState, PaymentTimedOut> PaymentTimeout { get; private set; } = null!;

    private static string Cancellation(CancelOrder message) =>
        string.IsNullOrWhiteSpace(message.Reason) ? "Cancelled." : $"Cancelled: {message.Reason}";

    private static OrderFaulted FaultedEvent(OrderState saga) =>
        new(saga.CorrelationId, saga.CustomerId, saga.Reason ?? "", saga.FinishedAt!.Value);

    private static OrderCancelled CancelledEvent(OrderState saga) =>
        new(saga.CorrelationId, saga.CustomerId, saga.Reason ?? "", saga.FinishedAt!.Value);

    private static OrderCancellationAccepted Accepted(OrderState saga) => new(saga.CorrelationId, saga.FinishedAt!.Value);

    private static OrderCancellationRejected Rejected(OrderState saga, string reason) => new(saga.CorrelationId, saga.CurrentState, reason);

    private static RefundPayment Refund(BehaviorContext<OrderState, PaymentCompleted> context, string reason) =>
        new(context.Saga.CorrelationId, context.Message.PaymentId, context.Message.Amount, reason);

    private void Finish(OrderState saga, string? reason)
    {
        saga.Reason = reason;
        saga.UpdatedAt = saga.FinishedAt = _clock.GetUtcNow();
    }

    private void LogRefund(BehaviorContext<OrderState, PaymentCompleted> context, string state) =>
        _logger.LogWarning(
            "PaymentCompleted {OrderId} (payment {PaymentId}) arrived after the order was {State}; sending RefundPayment",
            context.Saga.CorrelationId, context.Message.PaymentId, state);

    /// <summary>
    /// A combination the workflow never produces (e.g. a payment answer before any charge was asked for):
    /// logged, not thrown, because retrying or dead-lettering it would change nothing.
    /// </summary>
    private EventActivityBinder<OrderState, T> Unexpected<T>(Event<T> @event)
        where T : class =>
        When(@event).Then(context => _logger.LogWarning(
            "{MessageType} for order {OrderId} in state {State} was not expected; ignored",
            typeof(T).Name, context.Saga.CorrelationId, context.Saga.CurrentState));

    /// <summary>Only the saga asks for the answers it correlates, so an answer for an unknown order is logged and dropped.</summary>
    private void CorrelateOrDrop<T>(IEventCorrelationConfigurator<OrderState, T> x, Func<T, Guid> orderId)
        where T : class
    {
        x.CorrelateById(m => orderId(m.Message));
        x.OnMissingInstance(m => m.ExecuteAsync(context =>
        {
            _logger.LogWarning("{MessageType} for unknown order {OrderId} ignored", typeof(T).Name, orderId(context.Message));
            return Task.CompletedTask;
        }));
    }
}
