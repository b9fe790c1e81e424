namespace MicroComms.Host.Demo;

public enum DemoOutcome
{
    Pending,
    Completed,
    Faulted,
    Invalid,
    Rejected,
    Failed,
}
