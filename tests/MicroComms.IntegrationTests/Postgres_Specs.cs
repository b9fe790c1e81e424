using MicroComms.Testing;
using Npgsql;

namespace MicroComms.IntegrationTests;

/// <summary>The PostgreSQL the store specs will run on: a private cluster per test class, or <c>MICROCOMMS_POSTGRES</c>.</summary>
[Trait("Needs", "Postgres")]
public sealed class Postgres_Specs
{
    [Fact]
    public async Task A_private_PostgreSQL_cluster_starts_on_loopback_answers_and_is_gone_after_disposal()
    {
        string connectionString;
        await using (var server = await PostgresServer.StartAsync())
        {
            connectionString = server.ConnectionString;
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('server_version_num')::int, inet_server_addr()::text", connection);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.True(reader.GetInt32(0) >= 150000, $"PostgreSQL {reader.GetInt32(0)}");
            if (server.IsPrivate)
            {
                Assert.Equal("127.0.0.1/32", reader.GetString(1));
            }
        }

        if (Environment.GetEnvironmentVariable(PostgresServer.ConnectionStringVariable) is null)
        {
            await using var gone = new NpgsqlConnection(connectionString + ";Timeout=2");
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => gone.OpenAsync());
        }
    }
}
