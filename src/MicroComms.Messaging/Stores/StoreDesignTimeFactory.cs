using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MicroComms.Messaging.Stores;

/// <summary>
/// The base of each context's design-time factory: <c>dotnet ef</c> builds the context on the store named after
/// <c>--</c> (<c>-- --store sqlite</c> or <c>-- --store postgres</c>), on a placeholder connection it never opens, so
/// <c>dotnet ef migrations add</c> works for either store without a server.
/// </summary>
public abstract class StoreDesignTimeFactory<TContext> : IDesignTimeDbContextFactory<TContext>
    where TContext : DbContext
{
    public TContext CreateDbContext(string[] args)
    {
        var store = StoreOf(args);
        var placeholder = store == StoreKind.Postgres ? "Host=localhost;Database=microcomms_design_time" : "Data Source=:memory:";
        return Create(StoreRegistration.OptionsFor<TContext>(store, placeholder));
    }

    protected abstract TContext Create(DbContextOptions<TContext> options);

    private static StoreKind StoreOf(string[] args)
    {
        var index = Array.FindIndex(args, a => a.Equals("--store", StringComparison.OrdinalIgnoreCase));
        var value = index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        return Enum.TryParse<StoreKind>(value, ignoreCase: true, out var store) && Enum.IsDefined(store)
            ? store
            : throw new InvalidOperationException(
                $"Name the store the migrations are for after '--': '-- --store sqlite' or '-- --store postgres' (one set each, Migrations/Sqlite and Migrations/Postgres).");
    }
}
