namespace MicroComms.Inventory;

/// <summary>
/// What was done for one order, keyed by its id: makes ReserveStock and ReleaseStock idempotent and lets a
/// release give back exactly what the reservation took.
/// </summary>
public sealed class Reservation
{
    public Guid OrderId { get; set; }

    public string State { get; set; } = ReservationStates.Reserved;

    public string? Reason { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<ReservationLine> Lines { get; set; } = [];
}
