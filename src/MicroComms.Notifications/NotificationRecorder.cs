using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MicroComms.Notifications;

/// <summary>
/// Stores a notification unless one for the same order and kind exists. A concurrent duplicate loses on the
/// primary key; the retry then finds the row and does nothing.
/// </summary>
public sealed class NotificationRecorder(NotificationsDbContext db, TimeProvider clock, ILogger<NotificationRecorder> logger)
{
    public async Task RecordAsync(Guid orderId, string kind, string customerId, string text, CancellationToken ct)
    {
        if (await db.Notifications.AnyAsync(n => n.OrderId == orderId && n.Kind == kind, ct))
        {
            logger.LogInformation("{Kind} {OrderId} already recorded", kind, orderId);
            return;
        }

        db.Notifications.Add(new Notification
        {
            OrderId = orderId,
            Kind = kind,
            CustomerId = customerId,
            Text = text,
            RecordedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("{Kind} {OrderId} recorded for {CustomerId}", kind, orderId, customerId);
    }
}
