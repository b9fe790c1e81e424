using System.Text.Json;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>The payload every throughput scenario sends: about 200 bytes of JSON, like a small order event.</summary>
public sealed record BenchMessage(
    Guid OrderId,
    string CustomerId,
    string Sku,
    int Quantity,
    decimal UnitPrice,
    DateTimeOffset CreatedAt,
    long Sequence)
{
    public static BenchMessage Create(long sequence) => new(
        Guid.NewGuid(),
        "customer-0042",
        "SKU-ABC-12345",
        3,
        19.99m,
        DateTimeOffset.UtcNow,
        sequence);

    public static int JsonSize => JsonSerializer.SerializeToUtf8Bytes(Create(1_000_000)).Length;
}
