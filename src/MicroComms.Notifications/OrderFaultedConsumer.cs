using MassTransit;
using MicroComms.Contracts;

namespace MicroComms.Notifications;

/// <summary>Records the "your order could not be completed" notice; idempotent by order id and kind.</summary>
public sealed class OrderFaultedConsumer(NotificationRecorder recorder) : IConsumer<OrderFaulted>
{
    public Task Consume(ConsumeContext<OrderFaulted> context) =>
        recorder.RecordAsync(
            context.Message.OrderId,
            NotificationKinds.OrderFaulted,
            context.Message.CustomerId,
            $"Your order {context.Message.OrderId} could not be completed: {context.Message.Reason}",
            context.CancellationToken);
}
