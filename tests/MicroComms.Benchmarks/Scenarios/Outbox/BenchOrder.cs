namespace MicroComms.Benchmarks.Scenarios.Outbox;

/// <summary>The database change each outbox message commits with: one small row per order.</summary>
public sealed class BenchOrder
{
    public Guid Id { get; set; }

    public string Sku { get; set; } = "";

    public int Quantity { get; set; }

    public long Sequence { get; set; }

    public static BenchOrder From(Infrastructure.BenchMessage message) => new()
    {
        Id = message.OrderId,
        Sku = message.Sku,
        Quantity = message.Quantity,
        Sequence = message.Sequence,
    };
}
