using MicroComms.Host;
using MicroComms.Messaging.Scheduling;
using MicroComms.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests;

public sealed class HostDataDirectory_Specs
{
    [Fact]
    public async Task Two_data_folders_get_two_scheduler_databases_instead_of_sharing_one_under_the_working_folder()
    {
        var first = TestFiles.Path($"data-{Guid.NewGuid():N}");
        var second = TestFiles.Path($"data-{Guid.NewGuid():N}");

        await using (var a = MicroCommsApp.Build(Settings(first)))
        await using (var b = MicroCommsApp.Build(Settings(second)))
        {
            await a.StartAsync();
            await b.StartAsync();

            Assert.Equal(Path.Combine(first, "scheduler.db"), SchedulerFile(a.Services));
            Assert.Equal(Path.Combine(second, "scheduler.db"), SchedulerFile(b.Services));
            await a.StopAsync();
            await b.StopAsync();
        }

        // The schema is created at start, so each folder now holds a scheduler file of its own.
        Assert.True(File.Exists(Path.Combine(first, "scheduler.db")), $"no scheduler.db in {first}");
        Assert.True(File.Exists(Path.Combine(second, "scheduler.db")), $"no scheduler.db in {second}");
    }

    [Fact]
    public async Task An_explicit_scheduler_connection_string_wins_over_the_data_folder()
    {
        var data = TestFiles.Path($"data-{Guid.NewGuid():N}");
        var shared = TestFiles.Path($"shared-scheduler-{Guid.NewGuid():N}.db");
        var settings = Settings(data);
        settings["ConnectionStrings:Scheduler"] = $"Data Source={shared}";

        await using var app = MicroCommsApp.Build(settings);

        Assert.Equal(shared, SchedulerFile(app.Services));
    }

    private static Dictionary<string, string?> Settings(string dataDirectory) => new()
    {
        ["MicroComms:Transport"] = "InMemory",
        ["MicroComms:Host:Services"] = "notifications",
        ["MicroComms:Host:DataDirectory"] = dataDirectory,
        ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
        ["MicroComms:Host:GrpcUrl"] = "",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private static string SchedulerFile(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SchedulerDbContext>();
        return new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
    }
}
