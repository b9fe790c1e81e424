using System.ComponentModel.DataAnnotations;
using System.Runtime.CompilerServices;
using MassTransit;
using MassTransit.RetryPolicies;

namespace MicroComms.Messaging.Retry;

/// <summary>
/// The retry and redelivery conventions every receive endpoint gets, and the way a Definition replaces
/// them for its endpoint.
/// </summary>
internal static class MicroCommsRetry
{
    // Endpoint configurator -> the policy its Definition chose. The default policy looks here when the
    // endpoint is built, which happens after every Definition has configured the endpoint, so the order in
    // which MassTransit calls the convention and the Definition does not matter.
    private static readonly ConditionalWeakTable<IReceiveEndpointConfigurator, RetryOptions> Overrides = new();

    /// <summary>
    /// Delayed redelivery through the message scheduler (when enabled), then immediate retries: the
    /// documented order, so each redelivery gets a fresh round of immediate retries. Neither applies to
    /// <see cref="PermanentFailureException"/>, <see cref="ValidationException"/> or <see cref="ArithmeticException"/>.
    /// </summary>
    public static void UseMicroCommsRetry(this IReceiveEndpointConfigurator endpoint, RetryOptions defaults)
    {
        if (defaults.DelayedRedelivery)
        {
            endpoint.UseScheduledRedelivery(r =>
            {
                IgnorePermanentFailures(r);
                r.SetRetryPolicy(filter => Redelivery(filter, Resolve(endpoint, defaults)));
            });
        }

        endpoint.UseMessageRetry(r =>
        {
            IgnorePermanentFailures(r);
            r.SetRetryPolicy(filter => Immediate(filter, Resolve(endpoint, defaults)));
        });
    }

    /// <summary>
    /// Replaces the MicroComms defaults on this endpoint (call it from a Definition's
    /// <c>ConfigureConsumer</c> / <c>ConfigureSaga</c>). Permanent failures are still never retried; set
    /// <see cref="RetryOptions.ImmediateLimit"/> to 0 for no immediate retries, or
    /// <see cref="RetryOptions.DelayedRedelivery"/> to false for no delayed ones (redelivery can only be
    /// narrowed here, because the convention adds its filter only when the defaults enable it).
    /// </summary>
    public static void ReplaceMicroCommsRetry(this IReceiveEndpointConfigurator endpoint, RetryOptions retry)
    {
        Validator.ValidateObject(retry, new ValidationContext(retry), validateAllProperties: true);
        Overrides.AddOrUpdate(endpoint, retry);
    }

    private static RetryOptions Resolve(IReceiveEndpointConfigurator endpoint, RetryOptions defaults) =>
        Overrides.TryGetValue(endpoint, out var chosen) ? chosen : defaults;

    private static void IgnorePermanentFailures(IRetryConfigurator r)
    {
        r.Ignore<PermanentFailureException>();
        r.Ignore<ValidationException>();
        // Overflow, division by zero, a non-finite number: arithmetic on the message's own numbers, which fails the same
        // way on every attempt. FormatException stays retried: it also comes from parsing what a consumer read
        // elsewhere (a provider's reply, a row being rewritten), which can be whole on the next attempt.
        r.Ignore<ArithmeticException>();
    }

    /// <summary>
    /// MassTransit's exponential policy, built once per endpoint: it draws each message's delays when that message gets
    /// its policy context, so messages failing together do not retry in step.
    /// </summary>
    internal static IRetryPolicy Immediate(IExceptionFilter filter, RetryOptions retry) =>
        retry.ImmediateLimit == 0
            ? new NoRetryPolicy(filter)
            : new ExponentialRetryPolicy(filter, retry.ImmediateLimit, retry.MinInterval, retry.MaxInterval, retry.IntervalDelta);

    private static IRetryPolicy Redelivery(IExceptionFilter filter, RetryOptions retry) =>
        retry.DelayedRedelivery
            ? new IntervalRetryPolicy(filter, [.. retry.EffectiveRedeliveryIntervals])
            : new NoRetryPolicy(filter);
}
