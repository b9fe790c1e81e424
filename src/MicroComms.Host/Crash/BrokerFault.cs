namespace MicroComms.Host.Crash;

/// <summary>What a crash run does to the broker while orders flow (<c>microcomms crash --broker-fault</c>).</summary>
public enum BrokerFault
{
    /// <summary>Stop the (one) node and start it again.</summary>
    Restart,

    /// <summary>Cluster: kill -9 the node that leads most queues, start it again later.</summary>
    KillLeader,

    /// <summary>Cluster: stop and start each node in turn, the way an upgrade is done.</summary>
    RollingRestart,

    /// <summary>Cluster: stop all but one node (no majority), start them again later.</summary>
    NoMajority,
}
