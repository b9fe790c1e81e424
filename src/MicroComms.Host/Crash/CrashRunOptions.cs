using System.ComponentModel.DataAnnotations;
using MicroComms.Messaging;
using MicroComms.Messaging.Stores;

namespace MicroComms.Host.Crash;

/// <summary>The size and the faults of one crash run (<c>microcomms crash</c>); the defaults are the full-size run.</summary>
public sealed class CrashRunOptions
{
    [Range(1, 100_000)]
    public int Orders { get; set; } = 1000;

    /// <summary>Orders placed per second, all clients together.</summary>
    [Range(1, 1000)]
    public int Rate { get; set; } = 25;

    /// <summary>HTTP clients placing orders at once.</summary>
    [Range(1, 256)]
    public int Clients { get; set; } = 12;

    /// <summary>Chooses the orders and the moments of the faults; the same seed gives the same run.</summary>
    public int Seed { get; set; } = Environment.TickCount;

    /// <summary>
    /// Kill -9 of (one instance of) Orders, Payments and Inventory, each at a random point of its window (fractions of the
    /// orders placed); one kill at a time, each restarted after <see cref="RestartDelay"/>.
    /// </summary>
    public (double From, double To) KillOrdersWithin { get; set; } = (0.2, 0.4);

    public (double From, double To) KillPaymentsWithin { get; set; } = (0.35, 0.55);

    public (double From, double To) KillInventoryWithin { get; set; } = (0.5, 0.7);

    /// <summary>The broker is stopped and started again at a random point of this window.</summary>
    public (double From, double To) RestartBrokerWithin { get; set; } = (0.75, 0.85);

    /// <summary>
    /// Nodes of the run's broker: 1, or a cluster from the rabbitmq/ scripts (<c>start.sh --cluster N</c>) on
    /// <see cref="BrokerPort"/> and the ports after it, each service connecting to another node first.
    /// </summary>
    [Range(1, 9)]
    public int Brokers { get; set; } = 1;

    /// <summary>What the run does to the broker while orders flow; kill-leader, rolling-restart and no-majority need a cluster.</summary>
    public BrokerFault BrokerFault { get; set; } = BrokerFault.Restart;

    /// <summary>
    /// The services' <c>MicroComms:RabbitMq:QueueType</c>; null: quorum on a cluster (whose run vhost then has default queue
    /// type quorum), classic on one node. Classic on a cluster is the proof with its mechanism switched off.
    /// </summary>
    public QueueType? QueueType { get; set; }

    /// <summary>
    /// Leaves the broker (or cluster) running at the end, for whoever started the run to stop: runs one after another on
    /// one cluster then skip its stop and boot (about a minute a run on two cores).
    /// </summary>
    public bool KeepBrokerRunning { get; set; }

    /// <summary>How long a killed node (kill-leader) or the killed majority (no-majority) stays down.</summary>
    public TimeSpan NodeDownTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>When kill-leader and no-majority begin (fractions of the orders placed); the one-node restart uses <see cref="RestartBrokerWithin"/>.</summary>
    public (double From, double To) ClusterFaultWithin { get; set; } = (0.3, 0.4);

    /// <summary>When the rolling restart begins: early, as its three stops and starts take minutes on a busy machine and should all fall under load.</summary>
    public (double From, double To) RollingRestartWithin { get; set; } = (0.02, 0.05);

    /// <summary>
    /// The services whose processes write the MessagePack envelope (<c>MicroComms:Serializer</c>); the others write JSON,
    /// as a fleet in the middle of its switch does. Every process reads both.
    /// </summary>
    public IReadOnlyCollection<string> MessagePackServices { get; set; } = [];

    /// <summary>Whether Orders, Payments and Inventory are killed too; null: on one node yes, on a cluster no (the proof is the broker's).</summary>
    public bool? KillServices { get; set; }

    public QueueType EffectiveQueueType => QueueType ?? (Brokers > 1 ? Messaging.QueueType.Quorum : Messaging.QueueType.Classic);

    public bool EffectiveKillServices => KillServices ?? Brokers == 1;

    public (double From, double To) FaultWindow() => BrokerFault switch
    {
        BrokerFault.Restart => RestartBrokerWithin,
        BrokerFault.RollingRestart => RollingRestartWithin,
        _ => ClusterFaultWithin,
    };

    /// <summary>When set, Orders also kills itself right after this SubmitOrder commit, before its sends (a deterministic worst moment).</summary>
    public int? CrashOrdersAfterCommit { get; set; }

    /// <summary>How long a killed service stays dead; longer than the Gateway's request timeout, so its requests expire meanwhile.</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the broker stays stopped.</summary>
    public TimeSpan BrokerDownTime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The Gateway's request timeout in this run.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a client keeps retrying one order (same id) before it counts it as unanswered.</summary>
    public TimeSpan PlaceTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>How long accepted orders and outboxes have, after the last order, to reach a final state and drain.</summary>
    public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The services' outbox lease: how soon another delivery service takes over what a killed one held.</summary>
    public TimeSpan OutboxLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The private RabbitMQ node the run starts, stops and starts again, and stops at the end (rabbitmq/ scripts).</summary>
    [Range(1, 45535)]
    public int BrokerPort { get; set; } = 5790;

    /// <summary>Where every service keeps its data: a SQLite file per process, or a PostgreSQL database per service.</summary>
    public StoreKind Store { get; set; } = StoreKind.Sqlite;

    /// <summary>
    /// Processes each of Orders, Inventory and Payments runs as (Notifications and the Gateway run once). More than one
    /// needs <see cref="StoreKind.Postgres"/>: a SQLite file belongs to one machine.
    /// </summary>
    [Range(1, 8)]
    public int Instances { get; set; } = 1;

    /// <summary>
    /// On PostgreSQL: a connection string to a server where the run may create its databases; empty starts a private
    /// cluster from the machine's PostgreSQL binaries in the run's folder.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// A customer whose charges the simulated provider answers only after <see cref="SlowChargeDelay"/>, longer than
    /// <see cref="PaymentTimeout"/>: their orders' payment timeouts fire (some while an instance is dead) and the late
    /// payments are refunded. Null: no slow payments.
    /// </summary>
    public string? SlowPaymentsCustomer { get; set; } = "erin";

    public TimeSpan SlowChargeDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Orders' payment timeout in this run.</summary>
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>The repository's rabbitmq/ folder; found above the working folder or the executable when null.</summary>
    public string? RabbitMqDirectory { get; set; }

    /// <summary>Where the services keep their databases and logs; a new temporary folder when empty.</summary>
    public string? DataDirectory { get; set; }
}
