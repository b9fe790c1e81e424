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

    /// <summary>
    /// At most <paramref name="limit"/> workflows in one of <paramref name="openStates"/> (the states counted that are not
    /// final: an IN list the state index serves, where NOT IN scans every row) submitted before <paramref name="cutoff"/>.
    /// </summary>
    public static async Task<IReadOnlyList<OrderState>> NotFinalSinceAsync(
        OrdersDbContext db, StoreKind store, IReadOnlyList<string> openStates, DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        if (openStates.Count == 0)
        {
            return [];
        }

        var states = openStates.ToArray();
        var query = store == StoreKind.Postgres
            ? db.OrderSagas.FromSqlInterpolated(
                $"""SELECT * FROM "OrderSagas" WHERE "CurrentState" = ANY({states}) AND "SubmittedAt" < {cutoff.ToUniversalTime()} ORDER BY "SubmittedAt" LIMIT {limit}""")
            : db.OrderSagas.FromSqlRaw(SqliteNotFinalSince(states.Length), [.. states, SqliteText(cutoff), limit]);
        return await query.AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>The SQLite query with <paramref name="states"/> state parameters, then the cutoff and the limit.</summary>
    private static string SqliteNotFinalSince(int states)
    {
        var list = string.Join(", ", Enumerable.Range(0, states).Select(i => "{" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}"));
        var cutoff = "{" + states.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}";
        var limit = "{" + (states + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "}";
        return $"""SELECT * FROM "OrderSagas" WHERE "CurrentState" IN ({list}) AND "SubmittedAt" < {cutoff} ORDER BY "SubmittedAt" LIMIT {limit}""";
    }

    /// <summary>The text EF Core's SQLite provider writes for a DateTimeOffset, in UTC.</summary>
    private static string SqliteText(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy'-'MM'-'dd HH':'mm':'ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture);
}
