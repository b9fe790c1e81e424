using System.ComponentModel.DataAnnotations;
using MassTransit;
using MassTransit.RetryPolicies;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Messaging.Retry;

/// <summary>
/// The retry and redelivery conventions every receive endpoint gets, and the way a Definition replaces
/// them for its endpoint.
/// </summary>
public static class MicroCommsRetry
{
    /// <summary>
    /// Delayed redelivery through the message scheduler (when enabled), then immediate retries: the
    /// documented order, so each redelivery gets a fresh round of immediate retries. Neither applies to
    /// <see cref="PermanentFailureException"/>, <see cref="ValidationException"/> or <see cref="ArithmeticException"/>.
    /// </summary>
    internal static void UseMicroCommsRetry(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context, RetryOptions defaults)
    {
        var overrides = context.GetRequiredService<EndpointRetryOverrides>();
        if (defaults.DelayedRedelivery)
        {
            endpoint.UseScheduledRedelivery(r =>
            {
                IgnorePermanentFailures(r);
                r.SetRetryPolicy(filter => Redelivery(filter, overrides.Resolve(endpoint.InputAddress, defaults)));
            });
        }

        endpoint.UseMessageRetry(r =>
        {
            IgnorePermanentFailures(r);
            r.SetRetryPolicy(filter => Immediate(filter, overrides.Resolve(endpoint.InputAddress, defaults)));
        });
    }

    /// <summary>
    /// Replaces the MicroComms defaults on this endpoint (call it from a Definition's
    /// <c>ConfigureConsumer</c> / <c>ConfigureSaga</c>). Permanent failures are still never retried; set
    /// <see cref="RetryOptions.ImmediateLimit"/> to 0 for no immediate retries, or
    /// <see cref="RetryOptions.DelayedRedelivery"/> to false for no delayed ones (redelivery can only be
    /// narrowed here, because the convention adds its filter only when the defaults enable it).
    /// </summary>
    public static void ReplaceMicroCommsRetry(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context, RetryOptions retry)
    {
        Validator.ValidateObject(retry, new ValidationContext(retry), validateAllProperties: true);
        context.GetRequiredService<EndpointRetryOverrides>().Replace(endpoint.InputAddress, retry);
    }

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
