using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>
/// Order workflows written straight into the Orders database's saga table (OrderSagas), in one transaction with one
/// prepared insert: 100,000 rows take seconds, where placing as many orders through the services would take an hour.
/// Values are stored as EF Core's SQLite provider stores them (upper-case Guid text, decimals as invariant text).
/// </summary>
internal static class SagaRows
{
    /// <summary>Mostly final workflows; every 50th waiting for payment and every 100th submitted, all hours old (stuck).</summary>
    /// <returns>The first row's order id (a stuck, submitted one).</returns>
    public static async Task<Guid> SeedAsync(string ordersConnectionString, int count, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(ordersConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText =
            """
            INSERT INTO OrderSagas (CorrelationId, Version, CurrentState, CustomerId, Total, Reason, SubmittedAt, UpdatedAt, FinishedAt, PaymentId, PaymentTimeoutTokenId)
            VALUES ($id, 1, $state, $customer, $total, $reason, $submitted, $submitted, $finished, NULL, NULL)
            """;
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var state = insert.Parameters.Add("$state", SqliteType.Text);
        var customer = insert.Parameters.Add("$customer", SqliteType.Text);
        var total = insert.Parameters.Add("$total", SqliteType.Text);
        var reason = insert.Parameters.Add("$reason", SqliteType.Text);
        var submitted = insert.Parameters.Add("$submitted", SqliteType.Text);
        var finished = insert.Parameters.Add("$finished", SqliteType.Text);
        await insert.PrepareAsync(cancellationToken);

        var start = DateTimeOffset.UtcNow.AddDays(-2);
        var first = Guid.Empty;
        for (var i = 0; i < count; i++)
        {
            var (name, final, why) = (i % 100) switch
            {
                0 => ("Submitted", false, null),
                2 or 52 => ("AwaitingPayment", false, null),
                7 => ("Faulted", true, "Amount 1200 is above the limit of 1000."),
                _ => ("Completed", true, (string?)null),
            };
            var at = start.AddSeconds(i);
            var orderId = Guid.NewGuid();
            first = i == 0 ? orderId : first;
            id.Value = orderId.ToString().ToUpperInvariant();
            state.Value = name;
            customer.Value = "customer-" + (i % 500).ToString(CultureInfo.InvariantCulture);
            total.Value = (25m + (i % 40)).ToString(CultureInfo.InvariantCulture);
            reason.Value = (object?)why ?? DBNull.Value;
            submitted.Value = at;
            finished.Value = final ? at.AddSeconds(2) : DBNull.Value;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return first;
    }
}
