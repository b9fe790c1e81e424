namespace MicroComms.Host.Errors;

/// <summary>What <c>errors show</c> prints about one parked message.</summary>
public sealed record ErrorQueueMessage(
    string MessageId,
    string MessageType,
    string Reason,
    string ExceptionSummary,
    string FirstFailure,
    string Attempts,
    string ReplayTo);
