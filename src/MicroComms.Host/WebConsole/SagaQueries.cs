using MicroComms.Messaging.Stores;
using MicroComms.Orders;
using MicroComms.Orders.Saga;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Host.WebConsole;

/// <summary>
/// The order workflows as the sagas page reads them: counts by state (one GROUP BY on the indexed state column) and a
/// page of those not final since before a cutoff, oldest first. SQLite keeps a DateTimeOffset as ISO text, which EF
/// cannot compare, so the cutoff query is written per store; the text of UTC times sorts as the times do.
/// </summary>
internal static class SagaQueries
{
    public static async Task<IReadOnlyList<(string State, int Count)>> CountByStateAsync(OrdersDbContext db, CancellationToken cancellationToken) =>
        [.. (await db.OrderSagas.AsNoTracking()
                .GroupBy(s => s.CurrentState)
                .Select(g => new { State = g.Key, Count = g.Count() })
                .ToListAsync(cancellationToken))
            .OrderBy(s => s.State, StringComparer.Ordinal)
            .Select(s => (s.State, s.Count))];

    public static async Task<IReadOnlyList<OrderState>> NotFinalSinceAsync(
        OrdersDbContext db, StoreKind store, DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        var final = new[] { OrderStates.Completed, OrderStates.Faulted, OrderStates.Cancelled };
        var query = store == StoreKind.Postgres
            ? db.OrderSagas.FromSqlInterpolated(
                $"""SELECT * FROM "OrderSagas" WHERE "CurrentState" <> ALL({final}) AND "SubmittedAt" < {cutoff.ToUniversalTime()} ORDER BY "SubmittedAt" LIMIT {limit}""")
            : db.OrderSagas.FromSqlInterpolated(
                $"""SELECT * FROM "OrderSagas" WHERE "CurrentState" NOT IN ({final[0]}, {final[1]}, {final[2]}) AND "SubmittedAt" < {SqliteText(cutoff)} ORDER BY "SubmittedAt" LIMIT {limit}""");
        return await query.AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>The text EF Core's SQLite provider writes for a DateTimeOffset, in UTC.</summary>
    private static string SqliteText(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy'-'MM'-'dd HH':'mm':'ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture);
}
