namespace MicroComms.Host.Crash;

/// <summary>The kills of a crash run's service processes, and Orders' own crash at its crash point.</summary>
internal static class ServiceFaults
{
    /// <summary>
    /// Kill -9 of Orders, Payments and Inventory (one instance each), each at its own random moment of its window and
    /// started again after <see cref="CrashRunOptions.RestartDelay"/>, overlapping when their moments do.
    /// </summary>
    public static Task KillAsync(
        CrashRunOptions options,
        Random random,
        List<ServiceProcess> processes,
        Placing placing,
        Dictionary<ServiceProcess, SemaphoreSlim> restarts,
        TimeoutWatch watch,
        Action<string> log,
        CancellationToken ct)
    {
        int At((double From, double To) window) => placing.At(window, random);

        ServiceProcess AnyOf(string service)
        {
            var instances = processes.Where(p => p.Service == service).ToList();
            return instances[random.Next(instances.Count)];
        }

        async Task KillAsync(ServiceProcess process, int at)
        {
            await placing.WaitForStartedAsync(at, ct);
            await restarts[process].WaitAsync(ct);
            try
            {
                log($"kill -9 {process.Name} at order {placing.StartedCount}");
                await process.KillAsync();
                var killedAt = DateTimeOffset.UtcNow;
                using (var dead = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    var watching = watch.WatchAsync(dead.Token);
                    await Task.Delay(options.RestartDelay, ct);
                    await process.StartAsync(cancellationToken: ct);
                    await dead.CancelAsync();
                    await watching;
                }

                watch.Dead(process.Name, killedAt, DateTimeOffset.UtcNow);
                log($"{process.Name} started again");
            }
            finally
            {
                restarts[process].Release();
            }
        }

        return Task.WhenAll(
            KillAsync(AnyOf(ServiceNames.Orders), At(options.KillOrdersWithin)),
            KillAsync(AnyOf(ServiceNames.Payments), At(options.KillPaymentsWithin)),
            KillAsync(AnyOf(ServiceNames.Inventory), At(options.KillInventoryWithin)));
    }

    /// <summary>Orders' first incarnation ends itself at its crash point; it is started again like a killed one.</summary>
    public static async Task RestartAfterSelfCrashAsync(ServiceProcess orders, TimeSpan delay, SemaphoreSlim restarts, Action<string> log, CancellationToken ct)
    {
        await orders.Exited.WaitAsync(ct);
        await restarts.WaitAsync(ct);
        try
        {
            if (!orders.IsRunning)
            {
                log($"{orders.Name} ended itself at its crash point (after a SubmitOrder commit, before its sends)");
                await Task.Delay(delay, ct);
                await orders.StartAsync(cancellationToken: ct);
                log($"{orders.Name} started again");
            }
        }
        finally
        {
            restarts.Release();
        }
    }
}
