using MassTransit;
using MicroComms.Contracts;
using MicroComms.Messaging.Retry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Payments;

/// <summary>
/// Charges an order once. Idempotent by design: the charge row keyed by order id is looked up first, so a
/// redelivered command answers the recorded outcome without calling the provider again. A transient provider
/// error is thrown for the retry policy; a decline is an answer (<see cref="PaymentFailed"/>).
/// </summary>
public sealed class ChargePaymentConsumer(
    PaymentsDbContext db,
    SimulatedPaymentProvider provider,
    TimeProvider clock,
    ILogger<ChargePaymentConsumer> logger)
    : IConsumer<ChargePayment>
{
    public async Task Consume(ConsumeContext<ChargePayment> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;

        var charge = await db.Charges.AsNoTracking().FirstOrDefaultAsync(c => c.OrderId == message.OrderId, ct);
        if (charge is not null)
        {
            logger.LogInformation("ChargePayment {OrderId} repeated; answering the recorded outcome", message.OrderId);
        }
        else
        {
            if (message.Amount < 0 || string.IsNullOrWhiteSpace(message.CustomerId))
            {
                throw new PermanentFailureException($"ChargePayment {message.OrderId} has a negative amount or no customer.");
            }

            var decision = await provider.ChargeAsync(message.OrderId, message.CustomerId, message.Amount, ct);
            charge = new Charge
            {
                OrderId = message.OrderId,
                CustomerId = message.CustomerId,
                Amount = message.Amount,
                Approved = decision.Approved,
                PaymentId = decision.PaymentId,
                DeclineReason = decision.DeclineReason,
                ChargedAt = clock.GetUtcNow(),
            };
            db.Charges.Add(charge);
            await db.SaveChangesAsync(ct);
            logger.LogInformation("ChargePayment {OrderId} for {Amount}: approved {Approved}", message.OrderId, message.Amount, decision.Approved);
        }

        if (charge.Approved)
        {
            await context.Publish(new PaymentCompleted(charge.OrderId, charge.PaymentId, charge.Amount), ct);
        }
        else
        {
            await context.Publish(new PaymentFailed(charge.OrderId, charge.DeclineReason ?? "Declined."), ct);
        }
    }
}
