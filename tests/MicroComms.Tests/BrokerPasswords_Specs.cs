using System.CommandLine;
using MicroComms.Host;
using MicroComms.Host.Errors;
using MicroComms.Messaging;
using MicroComms.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MicroComms.Tests;

/// <summary>
/// Broker passwords: production takes them from the environment or a secrets folder, and a development default (the
/// user's own name, as on the rabbitmq/ node) is refused for a broker that is not on this machine.
/// </summary>
public sealed class BrokerPasswords_Specs : IDisposable
{
    private readonly string _folder = TestFiles.Path($"broker-passwords-{Guid.NewGuid():N}");

    public BrokerPasswords_Specs() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_development_password_for_a_broker_on_another_machine_stops_start_up_naming_where_to_put_the_real_one()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => BuildAndStartAsync(Settings("rabbit.internal", "microcomms-payments")));

        Assert.Contains("MicroComms:RabbitMq:Password for user 'microcomms-payments' is the development default", error.Message, StringComparison.Ordinal);
        Assert.Contains("MicroComms__RabbitMq__Password", error.Message, StringComparison.Ordinal);
        Assert.Contains("MicroComms:SecretsDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_development_password_is_accepted_for_the_local_node()
    {
        await using var app = MicroCommsApp.Build(Settings("127.0.0.1", "microcomms-payments"));

        var options = app.Services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;

        Assert.Equal("microcomms-payments", options.Password);
    }

    [Fact]
    public async Task A_password_in_the_secrets_folder_wins_over_appsettings_and_passes_for_a_remote_broker()
    {
        var secrets = Path.Combine(_folder, "secrets");
        Directory.CreateDirectory(secrets);
        await File.WriteAllTextAsync(Path.Combine(secrets, "MicroComms__RabbitMq__Password"), "s3cret-from-file\n");
        var settings = Settings("rabbit.internal", "microcomms-payments");
        settings.Remove("MicroComms:RabbitMq:Password");
        settings["MicroComms:SecretsDirectory"] = secrets;
        await using var app = MicroCommsApp.Build(settings);

        var options = app.Services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;

        Assert.Equal("s3cret-from-file", options.Password);
    }

    [Fact]
    public void A_secrets_folder_that_does_not_exist_stops_start_up_with_a_sentence_naming_the_setting()
    {
        var settings = Settings("127.0.0.1", "microcomms");
        settings["MicroComms:SecretsDirectory"] = Path.Combine(_folder, "missing");

        var error = Assert.Throws<HostConfigurationException>(() => MicroCommsApp.Build(settings));

        Assert.Contains("MicroComms:SecretsDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_errors_commands_refuse_the_operators_development_password_for_a_broker_on_another_machine()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicroComms:RabbitMq:Host"] = "rabbit.internal",
        }).Build();
        var root = new RootCommand { ErrorsCommand.Create(configuration) };
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await root.Parse(["errors", "list"]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("MicroComms:Operator:Password for user 'microcomms-operator' is the development default", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_authority_file_that_does_not_exist_stops_start_up_naming_the_setting()
    {
        var settings = Settings("127.0.0.1", "microcomms");
        settings["MicroComms:RabbitMq:UseTls"] = "true";
        settings["MicroComms:RabbitMq:TlsCaFile"] = Path.Combine(_folder, "no-such-ca.pem");
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => BuildAndStartAsync(settings));

        Assert.Contains("MicroComms:RabbitMq:TlsCaFile", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Building can already fail: mapping the health endpoints makes MassTransit create the bus, which reads the broker settings.</summary>
    private static async Task BuildAndStartAsync(Dictionary<string, string?> settings)
    {
        await using var app = MicroCommsApp.Build(settings);
        await app.StartAsync();
    }

    private Dictionary<string, string?> Settings(string host, string user) => new()
    {
        ["MicroComms:Transport"] = "RabbitMq",
        ["MicroComms:RabbitMq:Host"] = host,
        ["MicroComms:RabbitMq:Username"] = user,
        ["MicroComms:RabbitMq:Password"] = user,
        ["MicroComms:Host:Services"] = "gateway",
        ["MicroComms:Host:DataDirectory"] = _folder,
        ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
        ["MicroComms:Host:GrpcUrl"] = "",
    };
}
