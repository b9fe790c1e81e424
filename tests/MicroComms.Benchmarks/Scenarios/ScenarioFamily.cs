namespace MicroComms.Benchmarks.Scenarios;

public enum ScenarioFamily
{
    /// <summary>Publish -> consume, messages per second end to end.</summary>
    Throughput,

    /// <summary>Request -> response, latency percentiles and requests per second.</summary>
    RequestResponse,

    /// <summary>A workflow across services, completed workflows per second and submit-to-completed latency.</summary>
    Workflow,
    /// <summary>Publishing through the SQLite outbox against direct publish: messages per second and commit-to-consume latency.</summary>
    Outbox,

    /// <summary>Envelope formats off the broker: bytes per message and serialize + deserialize time.</summary>
    Serialization,
}
