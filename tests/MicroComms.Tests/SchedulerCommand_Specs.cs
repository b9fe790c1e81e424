using System.CommandLine;
using MicroComms.Host.Errors;
using MicroComms.Host.Scheduler;
using MicroComms.Messaging.Scheduling;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace MicroComms.Tests;

/// <summary>The <c>scheduler</c> commands with a scheduler database (its connection string configured): output and exit codes.</summary>
public abstract class SchedulerCommand_Specs(TestStore store) : StoreSpecs(store)
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"microcomms-scheduler-cli-{Guid.NewGuid():N}");
    private readonly Guid _setAside = Guid.NewGuid();
    private readonly Guid _waiting = Guid.NewGuid();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(_data);
        await using var db = OpenScheduler();
        await db.Database.EnsureCreatedAsync();
        db.ScheduledMessages.Add(Row(_setAside, setAside: true));
        db.ScheduledMessages.Add(Row(_waiting, setAside: false));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task List_counts_waiting_and_set_aside_messages_in_the_data_folder_and_shows_the_set_aside_one_with_its_reason()
    {
        var (exit, output, _) = await RunAsync("scheduler", "list");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("1 waiting", output, StringComparison.Ordinal);
        Assert.Contains("1 set aside", output, StringComparison.Ordinal);
        Assert.Contains(_setAside.ToString(), output, StringComparison.Ordinal);
        Assert.Contains("ArgumentException: The address scheme is not supported: rabbitmq", output, StringComparison.Ordinal);
        Assert.DoesNotContain(_waiting.ToString(), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_by_id_puts_the_message_back_in_line_and_an_unknown_id_fails()
    {
        var (exit, output, _) = await RunAsync("scheduler", "replay", "--message-id", _setAside.ToString());
        var (unknownExit, _, error) = await RunAsync("scheduler", "replay", "--message-id", Guid.NewGuid().ToString());

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Replayed 1", output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, unknownExit);
        Assert.Contains("No set-aside scheduled message", error, StringComparison.Ordinal);
        await using var db = OpenScheduler();
        var row = await db.ScheduledMessages.AsNoTracking().SingleAsync(x => x.MessageId == _setAside);
        Assert.Equal((null, 0, null), (row.SetAsideAt, row.DeliveryAttempts, row.FailureReason));
    }

    [Fact]
    public async Task Purge_needs_yes_and_then_deletes_only_set_aside_messages()
    {
        var (refused, _, refusal) = await RunAsync("scheduler", "purge");
        var (exit, output, _) = await RunAsync("scheduler", "purge", "--yes");

        Assert.Equal(ExitCodes.Usage, refused);
        Assert.Contains("--yes", refusal, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Purged 1", output, StringComparison.Ordinal);
        await using var db = OpenScheduler();
        Assert.Equal([_waiting], await db.ScheduledMessages.Select(x => x.MessageId).ToListAsync());
    }

    [Theory]
    [InlineData("scheduler", "replay")]
    [InlineData("scheduler", "replay", "--all", "--message-id", "6f1d3c1e-0000-0000-0000-000000000001")]
    [InlineData("scheduler", "list", "--count", "0")]
    [InlineData("scheduler", "purge", "--message-id", "not-a-guid", "--yes")]
    public async Task A_wrong_command_line_exits_with_the_usage_code(params string[] args)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.NotEmpty(error);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private SchedulerDbContext OpenScheduler() => SchedulerDbContext.Open(Database.Store, Database.ConnectionString);

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        OperatorCommandRun.RunAsync(
            SchedulerCommand.Create(new ConfigurationBuilder().AddInMemoryCollection(Database.Settings(SchedulerOptions.ConnectionStringName)).Build()), _data, args);

    private static ScheduledMessageRow Row(Guid messageId, bool setAside) => new()
    {
        TokenId = Guid.NewGuid(),
        DueAt = DateTimeOffset.UtcNow.AddMinutes(-3).ToUnixTimeMilliseconds(),
        DestinationAddress = new Uri("rabbitmq://127.0.0.1/microcomms/order-state"),
        MessageId = messageId,
        ContentType = "application/vnd.masstransit+json",
        MessageType = "urn:message:MicroComms.Contracts:PaymentTimeout",
        Body = "{}",
        SentTime = DateTime.UtcNow.AddMinutes(-4),
        DeliveryAttempts = setAside ? 5 : 0,
        SetAsideAt = setAside ? DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds() : null,
        FailureReason = setAside ? "ArgumentException: The address scheme is not supported: rabbitmq" : null,
    };
}

public sealed class SchedulerCommand_Specs_on_Sqlite() : SchedulerCommand_Specs(TestStore.Sqlite)
{
    [Fact]
    public async Task List_of_a_data_folder_where_nothing_ran_says_so_without_creating_a_database()
    {
        var empty = Path.Combine(Path.GetTempPath(), $"microcomms-scheduler-cli-{Guid.NewGuid():N}");

        var (exit, output, _) = await RunWithDataAsync(empty, "scheduler", "list");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("No scheduler database", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(empty, "scheduler.db")), "listing must not create a database");
    }

    /// <summary>With nothing configured: the SQLite default, the scheduler database in the data folder.</summary>
    private static Task<(int ExitCode, string Output, string Error)> RunWithDataAsync(string data, params string[] args) =>
        OperatorCommandRun.RunAsync(SchedulerCommand.Create(new ConfigurationBuilder().Build()), data, args);
}

[Trait("Needs", "Postgres")]
public sealed class SchedulerCommand_Specs_on_Postgres(PostgresFixture postgres) : SchedulerCommand_Specs(postgres.Store), IClassFixture<PostgresFixture>;
