namespace MicroComms.Host.Demo;

public enum DemoOutcome
{
    Pending,
    Completed,
    Faulted,
    Cancelled,
    Invalid,
    Rejected,
    Failed,
}
