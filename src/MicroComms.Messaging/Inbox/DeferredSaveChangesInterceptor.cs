using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Messaging.Inbox;

/// <summary>
/// While a consumer runs under the outbox, its <c>SaveChanges</c> only records intent: the changes stay tracked and
/// are written, with the inbox row and the outgoing messages, in one short transaction after the consumer returns.
/// This is what keeps SQLite's single write lock from being held while the consumer awaits anything else.
/// </summary>
/// <remarks>
/// Whether a DbContext is deferring is kept in <see cref="DeferredSaves"/>, a service of that DbContext's own EF Core
/// service scope (one per context instance, pooled with it), so the flag lives and dies with the context it describes.
/// </remarks>
internal sealed class DeferredSaveChangesInterceptor : SaveChangesInterceptor
{
    public static readonly DeferredSaveChangesInterceptor Instance = new();

    /// <summary>Adds the interceptor and the per-context flag it reads to a DbContext's options.</summary>
    public static DbContextOptionsBuilder Install(DbContextOptionsBuilder options)
    {
        ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(new DeferredSavesExtension());
        return options.AddInterceptors(Instance);
    }

    public static void Defer(DbContext context) => context.GetService<DeferredSaves>().Active = true;

    public static void Release(DbContext context) => context.GetService<DeferredSaves>().Active = false;

    public static bool IsInstalled(DbContext context) =>
        context.GetService<IDbContextOptions>()
            .Extensions.OfType<CoreOptionsExtension>()
            .Any(e => e.Interceptors?.Contains(Instance) == true);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        Intercept(eventData, result);

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Intercept(eventData, result));

    private static InterceptionResult<int> Intercept(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is not { } context || !context.GetService<DeferredSaves>().Active)
        {
            return result;
        }

        context.ChangeTracker.DetectChanges();
        var pending = context.ChangeTracker.Entries().Count(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted);
        return InterceptionResult<int>.SuppressWithResult(pending);
    }

    /// <summary>Whether this DbContext's saves are deferred to the outbox's commit.</summary>
    internal sealed class DeferredSaves
    {
        public bool Active { get; set; }
    }

    /// <summary>Registers <see cref="DeferredSaves"/> in the scope EF Core creates for each DbContext instance.</summary>
    private sealed class DeferredSavesExtension : IDbContextOptionsExtension
    {
        public DbContextOptionsExtensionInfo Info => new ExtensionInfo(this);

        public void ApplyServices(IServiceCollection services) => services.AddScoped<DeferredSaves>();

        public void Validate(IDbContextOptions options)
        {
        }

        private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
        {
            public override bool IsDatabaseProvider => false;

            public override string LogFragment => string.Empty;

            public override int GetServiceProviderHashCode() => 0;

            public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

            public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) =>
                debugInfo["MicroComms:DeferredSaves"] = "1";
        }
    }
}
