namespace MicroComms.Host.Demo;

/// <summary>What a demo order is meant to show.</summary>
public enum DemoOrderKind
{
    /// <summary>A valid order that should complete.</summary>
    Normal,

    /// <summary>Bad input the gateway refuses with 400.</summary>
    BadInput,

    /// <summary>An unknown customer Orders rejects (422).</summary>
    UnknownCustomer,

    /// <summary>An amount above the payment limit: the payment is declined and the order faults.</summary>
    Declined,
}
