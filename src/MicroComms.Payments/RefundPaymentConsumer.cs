using MassTransit;
using MicroComms.Contracts;
using MicroComms.Messaging.Retry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Payments;

/// <summary>
/// Gives back a completed charge. Idempotent by design: the refund is a column of the charge row keyed by order
/// id, set once; a repeat finds it set and changes nothing. (The simulated provider has no money to move, so
/// recording the refund is the whole of it.)
/// </summary>
public sealed class RefundPaymentConsumer(PaymentsDbContext db, TimeProvider clock, ILogger<RefundPaymentConsumer> logger)
    : IConsumer<RefundPayment>
{
    public async Task Consume(ConsumeContext<RefundPayment> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;

        var charge = await db.Charges.FirstOrDefaultAsync(c => c.OrderId == message.OrderId, ct)
            ?? throw new PermanentFailureException($"RefundPayment {message.OrderId}: no charge is recorded for the order.");
        if (!charge.Approved || charge.PaymentId != message.PaymentId)
        {
            throw new PermanentFailureException(
                $"RefundPayment {message.OrderId}: payment {message.PaymentId} is not the approved charge of the order.");
        }

        if (charge.RefundedAt is not null)
        {
            logger.LogInformation("RefundPayment {OrderId} repeated; refunded at {RefundedAt}", message.OrderId, charge.RefundedAt);
            return;
        }

        charge.RefundedAt = clock.GetUtcNow();
        charge.RefundReason = message.Reason;
        await db.SaveChangesAsync(ct);
        logger.LogInformation("RefundPayment {OrderId}: {Amount} refunded ({Reason})", message.OrderId, charge.Amount, message.Reason);
    }
}
