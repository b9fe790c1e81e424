using MassTransit;
using MicroComms.Contracts;

namespace MicroComms.Notifications;

/// <summary>Records the "your order is complete" notice; idempotent by order id and kind.</summary>
public sealed class OrderCompletedConsumer(NotificationRecorder recorder) : IConsumer<OrderCompleted>
{
    public Task Consume(ConsumeContext<OrderCompleted> context) =>
        recorder.RecordAsync(
            context.Message.OrderId,
            NotificationKinds.OrderCompleted,
            context.Message.CustomerId,
            $"Your order {context.Message.OrderId} is complete.",
            context.CancellationToken);
}
