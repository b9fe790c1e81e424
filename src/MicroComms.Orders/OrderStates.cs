namespace MicroComms.Orders;

/// <summary>The states an order passes through; the names are what GetOrderStatus answers.</summary>
public static class OrderStates
{
    public const string Submitted = "Submitted";
    public const string StockReserved = "StockReserved";
    public const string Completed = "Completed";
    public const string Faulted = "Faulted";

    public static bool IsFinal(string state) => state is Completed or Faulted;
}
