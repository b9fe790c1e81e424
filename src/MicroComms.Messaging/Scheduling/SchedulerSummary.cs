namespace MicroComms.Messaging.Scheduling;

/// <summary>The state of one scheduler database as an operator sees it.</summary>
/// <param name="Waiting">Messages in line (not set aside), due or not.</param>
/// <param name="SetAside">Messages set aside after too many failed sends of their own fault: they wait for a replay or a purge.</param>
/// <param name="NextDue">When the earliest message in line falls due; null when none waits.</param>
public sealed record SchedulerSummary(int Waiting, int SetAside, DateTimeOffset? NextDue);
