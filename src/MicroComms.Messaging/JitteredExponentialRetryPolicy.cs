using MassTransit;
using MassTransit.RetryPolicies;

namespace MicroComms.Messaging;

/// <summary>
/// Exponential back-off with jitter drawn per failing message. MassTransit's exponential policy draws its
/// random step once, when the policy is built, so every message on an endpoint would retry at the same
/// offsets; building one per failing message (cheap, and only on failure) spreads them out.
/// </summary>
public sealed class JitteredExponentialRetryPolicy(
    IExceptionFilter filter,
    int retryLimit,
    TimeSpan minInterval,
    TimeSpan maxInterval,
    TimeSpan intervalDelta) : IRetryPolicy
{
    private readonly ExponentialRetryPolicy _shape = new(filter, retryLimit, minInterval, maxInterval, intervalDelta);

    public RetryPolicyContext<T> CreatePolicyContext<T>(T context)
        where T : class, PipeContext =>
        ((IRetryPolicy)new ExponentialRetryPolicy(filter, retryLimit, minInterval, maxInterval, intervalDelta)).CreatePolicyContext(context);

    public bool IsHandled(Exception exception) => ((IRetryPolicy)_shape).IsHandled(exception);

    public void Probe(ProbeContext context) => ((IProbeSite)_shape).Probe(context);

    public override string ToString() => "Jittered " + _shape;
}
