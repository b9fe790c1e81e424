namespace MicroComms.Host.Errors;

/// <summary>MassTransit's naming of the queues where messages are parked.</summary>
public static class ErrorQueueNames
{
    public const string ErrorSuffix = "_error";
    public const string SkippedSuffix = "_skipped";

    public static bool IsParkingQueue(string queue) =>
        queue.EndsWith(ErrorSuffix, StringComparison.Ordinal) || queue.EndsWith(SkippedSuffix, StringComparison.Ordinal);

    /// <summary>The queue a parked message came from: <c>orders_error</c> → <c>orders</c>.</summary>
    public static string SourceQueue(string parkingQueue) =>
        parkingQueue.EndsWith(ErrorSuffix, StringComparison.Ordinal) ? parkingQueue[..^ErrorSuffix.Length]
        : parkingQueue.EndsWith(SkippedSuffix, StringComparison.Ordinal) ? parkingQueue[..^SkippedSuffix.Length]
        : parkingQueue;
}
