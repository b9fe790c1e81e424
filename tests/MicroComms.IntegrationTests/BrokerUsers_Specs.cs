using System.Net;
using MicroComms.Host.Errors;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace MicroComms.IntegrationTests;

/// <summary>The broker the rabbitmq/ scripts start is closed by default: no guest, services without management rights.</summary>
[Collection(BrokerCollection.Name)]
[Trait("Needs", "Broker")]
public sealed class BrokerUsers_Specs(BrokerFixture broker)
{
    [Fact]
    public async Task The_guest_user_cannot_connect()
    {
        var factory = new ConnectionFactory
        {
            HostName = broker.Node.Host,
            Port = broker.Node.Port,
            VirtualHost = broker.Node.VirtualHost,
            UserName = "guest",
            Password = "guest",
            AutomaticRecoveryEnabled = false,
        };

        var error = await Assert.ThrowsAsync<BrokerUnreachableException>(async () => await factory.CreateConnectionAsync());

        // Refused by the broker, not a port that is closed.
        Assert.IsType<AuthenticationFailureException>(error.InnerException);
    }

    [Fact]
    public async Task The_services_user_cannot_create_a_virtual_host_over_the_management_API()
    {
        var name = $"users-{Guid.NewGuid().ToString("N")[..12]}";
        try
        {
            using var asService = broker.Node.ManagementClient(broker.Node.Username, broker.Node.Password);

            using var response = await asService.PutAsync($"api/vhosts/{name}", null);

            Assert.True(
                response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden,
                $"user '{broker.Node.Username}' got {(int)response.StatusCode} {response.ReasonPhrase} for a new virtual host");
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(name);
        }
    }

    [Fact]
    public async Task The_operator_creates_a_virtual_host_where_the_services_user_may_connect()
    {
        var vhost = await broker.Node.CreateVirtualHostAsync("users");
        try
        {
            using var asOperator = broker.Node.ManagementClient();
            using var queues = await asOperator.GetAsync($"api/queues/{vhost}");
            Assert.Equal(HttpStatusCode.OK, queues.StatusCode);

            await using var connection = await broker.Node.ConnectionFactory(vhost).CreateConnectionAsync();
            Assert.True(connection.IsOpen);
        }
        finally
        {
            await broker.Node.DeleteVirtualHostAsync(vhost);
        }
    }

    [Fact]
    public async Task Errors_list_as_a_user_without_management_rights_fails_with_a_sentence_naming_the_operator_settings()
    {
        var settings = broker.Node.Settings(broker.Node.VirtualHost);
        settings["MicroComms:Operator:Username"] = broker.Node.Username;
        settings["MicroComms:Operator:Password"] = broker.Node.Password;

        var (exitCode, _, error) = await ErrorsCli.RunAsync(settings, "errors", "list");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("MicroComms:Operator:Username/Password", error, StringComparison.Ordinal);
    }
}
