using MicroComms.Gateway;

namespace MicroComms.Host.Crash;

/// <summary>One order of a crash run and what became of it.</summary>
internal sealed class CrashOrder(PlaceOrderRequest request)
{
    public PlaceOrderRequest Request { get; } = request;

    public Guid Id => Request.OrderId!.Value;

    public decimal Total => Request.Lines!.Sum(l => l!.Quantity!.Value * l.UnitPrice!.Value);

    /// <summary>The last HTTP status the Gateway answered for it (0 while none).</summary>
    public int Status { get; set; }

    /// <summary>POSTs it took (the same order id every time).</summary>
    public int Attempts { get; set; }

    public bool Accepted => Status == 202;

    /// <summary>The state the workflow ended in (from Orders' database), or null while not final.</summary>
    public string? FinalState { get; set; }
}
