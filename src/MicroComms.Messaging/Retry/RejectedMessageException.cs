namespace MicroComms.Messaging.Retry;

/// <summary>A message no endpoint may consume (see <see cref="IncomingMessageRules"/>): parked in <c>_error</c>, never retried.</summary>
public sealed class RejectedMessageException(string message) : PermanentFailureException(message);
