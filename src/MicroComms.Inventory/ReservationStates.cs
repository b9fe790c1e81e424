namespace MicroComms.Inventory;

public static class ReservationStates
{
    public const string Reserved = "Reserved";

    /// <summary>Nothing was taken: a line was unknown or short.</summary>
    public const string Failed = "Failed";

    /// <summary>Given back, or released before any reservation arrived (a late ReserveStock then fails).</summary>
    public const string Released = "Released";
}
