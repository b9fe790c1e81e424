namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>The Wolverine handler of the peer scenario: counts the message and returns, like <see cref="CountingConsumer"/>.</summary>
public sealed class WolverineCountingHandler(ConsumeCounter counter)
{
    public void Handle(BenchMessage message, Wolverine.Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(message);
        counter.Increment(envelope.Data?.Length ?? 0);
    }
}
