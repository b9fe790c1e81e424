using MicroComms.Messaging.Postgres;
using MicroComms.Messaging.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Messaging.Stores;

public static class StoreRegistration
{
    /// <summary>The configuration key that chooses the store of every database in the process.</summary>
    public const string StoreKey = "MicroComms:Store";

    /// <summary>
    /// Registers a service's own database on the store <c>MicroComms:Store</c> names (<see cref="StoreKind.Sqlite"/> by
    /// default), with the connection string <c>ConnectionStrings:{name}</c>.
    /// </summary>
    public static IServiceCollection AddMicroCommsDbContext<TContext>(this IServiceCollection services, IConfiguration configuration, string name)
        where TContext : DbContext =>
        StoreOf(configuration) switch
        {
            StoreKind.Postgres => services.AddPostgresDbContext<TContext>(configuration, name),
            _ => services.AddSqliteDbContext<TContext>(configuration, name),
        };

    /// <summary>The store <c>MicroComms:Store</c> names; a value that is neither store stops start-up with the key and the choices.</summary>
    public static StoreKind StoreOf(IConfiguration configuration)
    {
        var value = configuration[StoreKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return StoreKind.Sqlite;
        }

        return Enum.TryParse<StoreKind>(value, ignoreCase: true, out var store) && Enum.IsDefined(store)
            ? store
            : throw new StoreNotUsableException($"{StoreKey} is '{value}'; it must be one of: {string.Join(", ", Enum.GetNames<StoreKind>())}.");
    }

    /// <summary>Options for a context opened outside a host (operator commands, tests) on <paramref name="store"/>.</summary>
    public static DbContextOptions<TContext> OptionsFor<TContext>(StoreKind store, string connectionString)
        where TContext : DbContext
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        if (store == StoreKind.Postgres)
        {
            PostgresRegistration.Configure(builder, connectionString);
        }
        else
        {
            SqliteRegistration.Configure(builder, connectionString);
        }

        return builder.Options;
    }
}
