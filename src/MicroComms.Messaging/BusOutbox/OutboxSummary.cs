namespace MicroComms.Messaging.BusOutbox;

/// <summary>The state of one database's outbox as an operator sees it.</summary>
/// <param name="Pending">Messages waiting to be sent (not set aside), of consumers and of the bus outbox.</param>
/// <param name="SetAside">Messages set aside after too many failed attempts: they wait for a replay or a purge.</param>
/// <param name="OldestPending">When the oldest waiting message was written; null when none waits.</param>
public sealed record OutboxSummary(int Pending, int SetAside, DateTime? OldestPending);
