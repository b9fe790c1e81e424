using MassTransit;
using Microsoft.Extensions.Logging;

namespace MicroComms.Gateway;

/// <summary>
/// Every request the gateway makes to a service, cut off after <see cref="GatewayOptions.AnswerBound"/> whatever the
/// broker does. MassTransit's request timeout only starts once the request is sent, and a send on a dead connection
/// blocks before that; so the whole call runs under a token that fires at the bound (linked with the caller's), and is
/// also awaited with that token, because a blocked send need not honour it.
/// </summary>
public static class BoundedRequest
{
    /// <summary>
    /// The service's answer, or <c>Answered: false</c> when none came within the bound: timed out, cut off, or the
    /// broker unreachable.
    /// A caller that went away still gets its <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<(bool Answered, T Response)> SendAsync<T>(
        Func<CancellationToken, Task<T>> request,
        GatewayOptions options,
        ILogger logger,
        string requestType,
        object id,
        CancellationToken aborted)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        bound.CancelAfter(options.AnswerBound);
        try
        {
            return (true, await request(bound.Token).WaitAsync(bound.Token));
        }
        catch (RequestTimeoutException)
        {
            logger.LogWarning("{RequestType} {Id} was not answered within {RequestTimeout}", requestType, id, options.RequestTimeout);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            logger.LogWarning("{RequestType} {Id} was cut off after {AnswerBound}: the send did not complete", requestType, id, options.AnswerBound);
        }
        catch (ConnectionException ex)
        {
            logger.LogWarning(ex, "{RequestType} {Id} could not be sent: the broker is unreachable", requestType, id);
        }

        return (false, default!);
    }
}
