using System.CommandLine;
using System.Text.Json;
using MicroComms.Host.Errors;
using MicroComms.Host.Outbox;
using MicroComms.Messaging.BusOutbox;
using MicroComms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace MicroComms.Tests.Outbox;

/// <summary>
/// The <c>outbox</c> commands with an orders database (its connection string configured) and a data folder where no
/// other service ran: output and exit codes.
/// </summary>
public abstract class OutboxCommand_Specs(TestStore store) : StoreSpecs(store)
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"microcomms-outbox-cli-{Guid.NewGuid():N}");
    private readonly Guid _setAside = Guid.NewGuid();
    private readonly Guid _pending = Guid.NewGuid();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(_data);
        await using var db = OpenOrders();
        await db.Database.EnsureCreatedAsync();
        db.Add(Row(_setAside, setAside: true));
        db.Add(Row(_pending, setAside: false));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task List_shows_pending_and_set_aside_counts_per_service_and_which_databases_do_not_exist()
    {
        var (exit, output, error) = await RunAsync("outbox", "list");

        Assert.True(exit == ExitCodes.Ok, error);
        var orders = Assert.Single(output.Split('\n'), l => l.Contains("orders", StringComparison.Ordinal));
        Assert.Matches(@"│\s+1\s+│\s+1\s+│", orders);
        Assert.Contains(output.Split('\n'), l => l.Contains("payments", StringComparison.Ordinal) && l.Contains("no database", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_data, "payments.db")), "listing must not create a database");
    }

    [Fact]
    public async Task Show_lists_the_set_aside_message_with_its_reason()
    {
        var (exit, output, _) = await RunAsync("outbox", "show", "--service", "orders");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains(_setAside.ToString(), output, StringComparison.Ordinal);
        Assert.Contains("ArgumentException: broken", output, StringComparison.Ordinal);
        Assert.DoesNotContain(_pending.ToString(), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_by_id_puts_the_message_back_in_line_and_an_unknown_id_fails()
    {
        var (exit, output, _) = await RunAsync("outbox", "replay", "--message-id", _setAside.ToString());
        var (unknownExit, _, error) = await RunAsync("outbox", "replay", "--message-id", Guid.NewGuid().ToString());

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Replayed 1", output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, unknownExit);
        Assert.Contains("No set-aside outbox message", error, StringComparison.Ordinal);
        await using var db = OpenOrders();
        var row = await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.MessageId == _setAside);
        Assert.Null(row.SetAside);
        Assert.Equal(0, row.DeliveryAttempts);
        Assert.True(await db.Set<OutboxState>().AnyAsync(s => s.OutboxId == row.OutboxId), "a replayed message needs an owner to be sent");
    }

    [Fact]
    public async Task Purge_needs_yes_and_then_deletes_only_set_aside_messages()
    {
        var (refused, _, refusal) = await RunAsync("outbox", "purge");
        var (exit, output, _) = await RunAsync("outbox", "purge", "--yes");

        Assert.Equal(ExitCodes.Usage, refused);
        Assert.Contains("--yes", refusal, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Purged 1", output, StringComparison.Ordinal);
        await using var db = OpenOrders();
        Assert.Equal([_pending], await db.Set<OutboxMessage>().Select(m => m.MessageId).ToListAsync());
    }

    [Fact]
    public async Task List_json_gives_each_service_s_counts_and_the_oldest_pending_age_with_stable_field_names()
    {
        var (exit, output, error) = await RunAsync("outbox", "list", "--json");

        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var databases = json.RootElement.GetProperty("databases").EnumerateArray().ToDictionary(d => d.GetProperty("service").GetString()!);
        var orders = databases["orders"];
        Assert.True(orders.GetProperty("exists").GetBoolean());
        Assert.Equal(1, orders.GetProperty("pending").GetInt32());
        Assert.Equal(1, orders.GetProperty("setAside").GetInt32());
        Assert.Equal(DateTimeKind.Utc, orders.GetProperty("oldestPending").GetDateTime().Kind);
        Assert.InRange(orders.GetProperty("oldestPendingSeconds").GetDouble(), 170, 3600);
        Assert.False(databases["payments"].GetProperty("exists").GetBoolean());
        Assert.Equal(JsonValueKind.Null, databases["payments"].GetProperty("pending").ValueKind);
    }

    [Fact]
    public async Task Show_json_gives_the_set_aside_message_with_its_reason_and_attempts()
    {
        var (exit, output, error) = await RunAsync("outbox", "show", "--service", "orders", "--json");

        Assert.True(exit == ExitCodes.Ok, error);
        using var json = JsonDocument.Parse(output);
        var message = Assert.Single(json.RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal("orders", message.GetProperty("service").GetString());
        Assert.Equal(_setAside, message.GetProperty("messageId").GetGuid());
        Assert.Equal("urn:message:MicroComms.Contracts:OrderSubmitted", message.GetProperty("messageType").GetString());
        Assert.Equal(5, message.GetProperty("attempts").GetInt32());
        Assert.Equal("ArgumentException: broken", message.GetProperty("reason").GetString());
        Assert.StartsWith("rabbitmq://", message.GetProperty("destination").GetString(), StringComparison.Ordinal);
        Assert.Equal(DateTimeKind.Utc, message.GetProperty("setAside").GetDateTime().Kind);
    }

    [Theory]
    [InlineData("outbox", "replay")]
    [InlineData("outbox", "replay", "--all", "--message-id", "6f1d3c1e-0000-0000-0000-000000000001")]
    [InlineData("outbox", "list", "--service", "gateway")]
    [InlineData("outbox", "show", "--count", "0")]
    [InlineData("outbox", "replay", "--message-id", "not-a-guid")]
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

    private OutboxDbContext OpenOrders() => OutboxDbContext.Open(Database.Store, Database.ConnectionString);

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        OperatorCommandRun.RunAsync(OutboxCommand.Create(new ConfigurationBuilder().AddInMemoryCollection(Database.Settings("Orders")).Build()), _data, args);

    private static OutboxMessage Row(Guid messageId, bool setAside) => new()
    {
        MessageId = messageId,
        OutboxId = Guid.NewGuid(),
        DestinationAddress = new Uri("rabbitmq://localhost/microcomms/MicroComms.Contracts:OrderSubmitted"),
        MessageType = "urn:message:MicroComms.Contracts:OrderSubmitted",
        ContentType = "application/vnd.masstransit+json",
        Body = "{}",
        SentTime = DateTime.UtcNow.AddMinutes(-3),
        DeliveryAttempts = setAside ? 5 : 0,
        SetAside = setAside ? DateTime.UtcNow.AddMinutes(-1) : null,
        FailureReason = setAside ? "ArgumentException: broken" : null,
    };
}

public sealed class OutboxCommand_Specs_on_Sqlite() : OutboxCommand_Specs(TestStore.Sqlite);

[Trait("Needs", "Postgres")]
public sealed class OutboxCommand_Specs_on_Postgres(PostgresFixture postgres) : OutboxCommand_Specs(postgres.Store), IClassFixture<PostgresFixture>;
