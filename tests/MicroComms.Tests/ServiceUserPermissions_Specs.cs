using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MassTransit;
using MicroComms.Host;
using MicroComms.Messaging;
using MicroComms.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests;

/// <summary>
/// rabbitmq/definitions.json keeps up with the services: every receive endpoint a service's bus opens (a new consumer,
/// a renamed queue) is one its own broker user may declare, consume and park failures of, and so may the all-in-one
/// user. The broker spec ServiceUsers_Specs proves the rest (exchanges, sends) by running the workflow on those users.
/// </summary>
public sealed class ServiceUserPermissions_Specs
{
    private static readonly IReadOnlyList<BrokerPermission> Definitions =
        BrokerPermission.Load(Path.Combine(RepositoryFolder.Root(), "rabbitmq", "definitions.json"));

    public static TheoryData<string> Services => [.. ServiceNames.All];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_endpoint_the_service_opens_is_within_its_own_users_permissions_and_the_all_in_one_users(string service)
    {
        var endpoints = await EndpointsOfAsync(service);

        Assert.NotEmpty(endpoints);
        foreach (var user in new[] { BrokerPermission.ServiceUser(service), "microcomms" })
        {
            var permission = Assert.Single(Definitions, p => p.User == user);
            foreach (var queue in endpoints.Select(e => user == "microcomms" ? e.Replace(BrokerPermission.SchedulerQueue(service), "microcomms-scheduler", StringComparison.Ordinal) : e))
            {
                foreach (var name in new[] { queue, queue + "_error", queue + "_skipped" })
                {
                    Assert.True(Regex.IsMatch(name, permission.Configure), $"{user} may not configure {name}");
                    Assert.True(Regex.IsMatch(name, permission.Write), $"{user} may not write to {name}");
                    Assert.True(Regex.IsMatch(name, permission.Read), $"{user} may not read {name}");
                }
            }
        }
    }

    [Fact]
    public void Every_service_has_a_user_and_no_service_user_may_do_everything()
    {
        foreach (var service in ServiceNames.All)
        {
            var permission = Assert.Single(Definitions, p => p.User == BrokerPermission.ServiceUser(service));
            Assert.All(new[] { permission.Configure, permission.Write, permission.Read }, r => Assert.False(Regex.IsMatch("some-other-queue", r), $"{permission.User}: {r}"));
        }
    }

    /// <summary>The queue names of the receive endpoints a process running only <paramref name="service"/> opens (in memory).</summary>
    private static async Task<IReadOnlyList<string>> EndpointsOfAsync(string service)
    {
        var data = TestFiles.Path($"permissions-{service}-{Guid.NewGuid():N}");
        await using var app = MicroCommsApp.Build(new Dictionary<string, string?>
        {
            ["MicroComms:Transport"] = "InMemory",
            ["MicroComms:Scheduler:QueueName"] = BrokerPermission.SchedulerQueue(service),
            ["MicroComms:Host:Services"] = service,
            ["MicroComms:Host:DataDirectory"] = data,
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var ready = new EndpointNames();
        using var observing = new ObserverHandle(app.Services.GetRequiredService<IBus>().ConnectReceiveEndpointObserver(ready));
        await app.StartAsync();
        await app.StopAsync();

        // The bus's own endpoint (temporary, named by MassTransit) is covered by the pattern every user has.
        return ready.Names.Where(n => !n.Contains("_bus_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    }

    private sealed class ObserverHandle(ConnectHandle handle) : IDisposable
    {
        public void Dispose() => handle.Disconnect();
    }

    private sealed class EndpointNames : IReceiveEndpointObserver
    {
        private readonly ConcurrentDictionary<string, bool> _names = new(StringComparer.Ordinal);

        public IEnumerable<string> Names => _names.Keys;

        public Task Ready(ReceiveEndpointReady ready)
        {
            _names[ready.InputAddress.AbsolutePath.Split('/')[^1]] = true;
            return Task.CompletedTask;
        }

        public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

        public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

        public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
    }
}
