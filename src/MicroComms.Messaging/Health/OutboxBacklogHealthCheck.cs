using System.Globalization;
using MicroComms.Messaging.BusOutbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MicroComms.Messaging.Health;

/// <summary>
/// Degraded while an outbox holds a message that has been due longer than <see cref="HealthOptions.OutboxStuckAfter"/>:
/// the service still works (its commits succeed) but what it commits does not leave. One indexed query: the earliest
/// due time among rows that are not set aside (a delayed send counts from when it is due, not from when it was written).
/// Set-aside rows are an operator's business (<c>outbox show</c>), not a readiness matter.
/// </summary>
internal sealed class OutboxBacklogHealthCheck<TDbContext>(TDbContext db, IOptions<HealthOptions> options, TimeProvider clock) : IHealthCheck
    where TDbContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var oldestDue = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.SetAside == null && (m.EnqueueTime == null || m.EnqueueTime <= now))
            .Select(m => (DateTime?)(m.EnqueueTime ?? m.SentTime))
            .MinAsync(cancellationToken);
        if (oldestDue is not { } due)
        {
            return HealthCheckResult.Healthy("No message waits to be sent.");
        }

        var age = now - due;
        var data = new Dictionary<string, object> { ["oldestPendingSeconds"] = Math.Round(Math.Max(0, age.TotalSeconds), 1) };
        var limit = options.Value.OutboxStuckAfter;
        if (age <= limit)
        {
            return HealthCheckResult.Healthy($"The oldest message waiting to be sent has waited {Seconds(age)}.", data);
        }

        return HealthCheckResult.Degraded(
            $"The oldest message waiting to be sent has waited {Seconds(age)}, more than {HealthOptions.SectionName}:"
            + $"{nameof(HealthOptions.OutboxStuckAfter)} ({Seconds(limit)}): is the broker reachable and a delivery service running? "
            + "('outbox list' shows the backlog.)",
            data: data);
    }

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, t.TotalSeconds):0.#} s");
}
