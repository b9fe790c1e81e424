using MicroComms.Messaging.Stores;
using MicroComms.Testing;
using MicroComms.Tests.Sagas;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MicroComms.Tests;

public sealed class SqliteDatabaseInitializer_Specs
{
    [Fact]
    public async Task Hosts_starting_together_on_one_new_database_all_start_and_create_the_schema_once()
    {
        const int Hosts = 8;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var file = MicroCommsTestHost.TempDatabase();
            var hosts = Enumerable.Range(0, Hosts).Select(_ => Build(file)).ToList();
            try
            {
                using var start = new SemaphoreSlim(0, Hosts);
                var starting = hosts.Select(async h =>
                {
                    await start.WaitAsync();
                    await h.StartAsync();
                }).ToList();
                start.Release(Hosts);
                await Task.WhenAll(starting);

                await using var scope = hosts[0].Services.CreateAsyncScope();
                Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<CounterDbContext>().Counters.CountAsync());
            }
            finally
            {
                foreach (var host in hosts)
                {
                    host.Dispose();
                }
            }
        }
    }

    private static IHost Build(string file)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Counter"] = $"Data Source={file}" });
        builder.Services.AddMicroCommsDbContext<CounterDbContext>(builder.Configuration, "Counter");
        return builder.Build();
    }
}
