using MicroComms.Messaging;
using MicroComms.Messaging.Serialization;
using MicroComms.Messaging.Stores;

namespace MicroComms.Benchmarks.Scenarios;

/// <summary>Every scenario, in the order they run.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Func<IScenario>> All { get; } =
    [
        () => new LimitScenario(),
        () => new MassTransitDefaultsScenario(),
        () => new MassTransitTunedScenario(),
        () => new MicroCommsScenario(),
        () => new MicroCommsScenario("microcomms-binary", serializer: SerializerKind.MessagePack),
        () => new FreeEnvelope.FreeEnvelopeScenario(),
        () => new MicroCommsScenario("microcomms-telemetry", telemetry: true),
        () => new MicroCommsScenario("microcomms-quorum", QueueType.Quorum),
        () => new MicroCommsScenario("microcomms-cluster-classic", QueueType.Classic, cluster: true),
        () => new MicroCommsScenario("microcomms-cluster-quorum", QueueType.Quorum, cluster: true),
        () => new PeerWolverineScenario(),
        () => new RequestResponseScenario(),
        () => new RequestResponseScenario("request-response-cluster", cluster: true),
        () => new SagaScenario(),
        () => new SagaScenario("saga-binary", serializer: SerializerKind.MessagePack),
        () => new SagaScenario("saga-telemetry", telemetry: true),
        () => new SagaScenario("saga-postgres", StoreKind.Postgres),
        () => new SagaScenario("saga-postgres-2x", StoreKind.Postgres, instances: 2),
        () => new OutboxScenario(),
        () => new OutboxScenario("outbox-binary", serializer: SerializerKind.MessagePack),
        () => new OutboxScenario("outbox-postgres", StoreKind.Postgres),
        () => new PeerOutboxScenario(new PeerOutbox.PeerOutboxStore.Sqlite()),
        () => new PeerOutboxScenario(new PeerOutbox.PeerOutboxStore.Postgres()),
        () => new SerializerChoiceScenario(),
    ];
}
