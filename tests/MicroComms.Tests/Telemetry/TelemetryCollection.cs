namespace MicroComms.Tests.Telemetry;

/// <summary>
/// Activity listeners and meter listeners see the whole process: the telemetry specs run alone, so the spans and
/// instruments they read are their own host's, not those of specs running beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
