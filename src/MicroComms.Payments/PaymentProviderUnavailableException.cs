namespace MicroComms.Payments;

/// <summary>The provider could not be reached or timed out: retrying may succeed.</summary>
public sealed class PaymentProviderUnavailableException : Exception
{
    public PaymentProviderUnavailableException(string message)
        : base(message)
    {
    }
}
