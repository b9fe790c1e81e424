namespace MicroComms.Host.Crash;

/// <summary>
/// What a crash run does to the broker while orders flow (<see cref="BrokerFault"/>), at a random moment of the fault's
/// window. Every node the run takes away comes back before the run goes on to settle, and is back in the cluster (it
/// reports every node running) before the next step.
/// </summary>
internal static class BrokerFaults
{
    /// <summary>How long a node being restarted may wait for its quorum queues to have a majority without it.</summary>
    private static readonly TimeSpan QuorumWait = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RejoinPoll = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(
        CrashRunOptions options, Random random, RunBroker broker, string vhost, Placing placing, BrokerFaultTimes times, Action<string> log, CancellationToken ct)
    {
        await placing.WaitForStartedAsync(placing.At(options.FaultWindow(), random), ct);
        switch (options.BrokerFault)
        {
            case BrokerFault.Restart:
                log($"broker stopped at order {placing.StartedCount}");
                await broker.StopAsync(ct);
                await Task.Delay(options.BrokerDownTime, ct);
                await broker.StartAsync(ct);
                log("broker started again");
                break;
            case BrokerFault.KillLeader:
                await KillLeaderAsync(options, broker, vhost, placing, times, log, ct);
                break;
            case BrokerFault.RollingRestart:
                await RollingRestartAsync(broker, placing, times, log, ct);
                break;
            case BrokerFault.NoMajority:
                await NoMajorityAsync(options, broker, placing, times, log, ct);
                break;
        }
    }

    private static async Task KillLeaderAsync(
        CrashRunOptions options, RunBroker broker, string vhost, Placing placing, BrokerFaultTimes times, Action<string> log, CancellationToken ct)
    {
        var (node, leads, of) = await broker.BusiestNodeAsync(vhost, ct);
        log($"kill -9 node {node.NodeName} (it leads {leads} of {of} queues) at order {placing.StartedCount}");
        await node.KillAsync(ct);
        times.RecoveryFrom = DateTimeOffset.UtcNow;
        await Task.Delay(options.NodeDownTime, ct);
        await node.StartAsync(ct);
        await WaitUntilBackAsync(broker, node, ct);
        log($"node {node.NodeName} started again and back in the cluster at order {placing.StartedCount}");
    }

    /// <summary>One node after another, as an upgrade does it: only once its quorum queues can spare it, then back before the next.</summary>
    private static async Task RollingRestartAsync(RunBroker broker, Placing placing, BrokerFaultTimes times, Action<string> log, CancellationToken ct)
    {
        var from = DateTimeOffset.UtcNow;
        foreach (var node in broker.Nodes)
        {
            await node.AwaitQuorumPlusOneAsync(QuorumWait, ct);
            log($"rolling restart: stop node {node.NodeName} at order {placing.StartedCount}");
            await node.StopAsync(ct);
            await node.StartAsync(ct);
            await WaitUntilBackAsync(broker, node, ct);
            log($"rolling restart: node {node.NodeName} back in the cluster at order {placing.StartedCount}");
        }

        times.Window = (from, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// All nodes but the first killed at once (a graceful stop takes tens of seconds on a busy machine, while the nodes
    /// still serve): every quorum queue loses its majority until they are back.
    /// </summary>
    private static async Task NoMajorityAsync(
        CrashRunOptions options, RunBroker broker, Placing placing, BrokerFaultTimes times, Action<string> log, CancellationToken ct)
    {
        var stopped = broker.Nodes.Skip(1).ToList();
        var names = string.Join(", ", stopped.Select(n => n.NodeName));
        log($"no majority: kill -9 nodes {names} at order {placing.StartedCount}");
        await Task.WhenAll(stopped.Select(n => n.KillAsync(ct)));
        var from = DateTimeOffset.UtcNow;
        log($"no majority: only {broker.Nodes[0].NodeName} runs, from order {placing.StartedCount}");
        await Task.Delay(options.NodeDownTime, ct);

        // The window is the time with one node for sure: the majority returns with the first node back, during the starts.
        times.Window = (from, DateTimeOffset.UtcNow);
        times.RecoveryFrom = times.Window.Value.To;
        log($"no majority: start nodes {names} again at order {placing.StartedCount}");
        await Task.WhenAll(stopped.Select(n => n.StartAsync(ct)));
        foreach (var node in stopped)
        {
            await WaitUntilBackAsync(broker, node, ct);
        }

        log($"no majority: nodes {names} back in the cluster at order {placing.StartedCount}");
    }

    /// <summary>Until <paramref name="node"/> reports every node of the cluster running.</summary>
    private static async Task WaitUntilBackAsync(RunBroker broker, BrokerScripts node, CancellationToken ct)
    {
        if (!broker.IsCluster)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RejoinTimeout);
        while (!await IsBackAsync())
        {
            await Task.Delay(RejoinPoll, timeout.Token);
        }

        async Task<bool> IsBackAsync()
        {
            try
            {
                return await node.RunningNodesAsync(timeout.Token) == broker.Nodes.Count;
            }
            catch (HttpRequestException)
            {
                // Its management listener is not up yet.
                return false;
            }
        }
    }
}
