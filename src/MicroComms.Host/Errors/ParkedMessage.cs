namespace MicroComms.Host.Errors;

/// <summary>One parked message in full: its summary, content type, every header (as text) and its body as indented JSON (either envelope).</summary>
public sealed record ParkedMessage(
    ErrorQueueMessage Summary,
    string ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string Body);
