namespace MicroComms.Orders;

/// <summary>
/// The states an order passes through: the names of <see cref="Saga.OrderStateMachine"/>'s states, and what
/// GetOrderStatus answers. <see cref="Submitted"/> is also answered for an accepted order whose workflow has
/// not started yet.
/// </summary>
public static class OrderStates
{
    public const string Submitted = "Submitted";
    public const string AwaitingPayment = "AwaitingPayment";
    public const string Completed = "Completed";
    public const string Faulted = "Faulted";
    public const string Cancelled = "Cancelled";

    public static bool IsFinal(string state) => state is Completed or Faulted or Cancelled;
}
