using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

#pragma warning disable EF1001 // MigrationsAssembly is EF's own finder; this subclass only narrows what it finds (one set per store).

namespace MicroComms.Messaging.Stores;

/// <summary>
/// A context keeps one set of migrations per store beside it, in the namespaces <c>….Migrations.Sqlite</c> and
/// <c>….Migrations.Postgres</c> (the folders <c>Migrations/Sqlite</c> and <c>Migrations/Postgres</c>): EF sees only the
/// set, and the model snapshot, of the provider the context runs on. The store registrations put it in the options, so
/// the application, the <c>db</c> commands and <c>dotnet ef</c> (through the design-time factories) all see the same set.
/// </summary>
internal sealed class StoreMigrationsAssembly(
    ICurrentDbContext currentContext,
    IDbContextOptions options,
    IMigrationsIdGenerator idGenerator,
    IDiagnosticsLogger<DbLoggerCategory.Migrations> logger,
    IDatabaseProvider provider)
    : Microsoft.EntityFrameworkCore.Migrations.Internal.MigrationsAssembly(currentContext, options, idGenerator, logger)
{
    private readonly Type _contextType = currentContext.Context.GetType();
    private readonly string _namespaceSuffix = ".Migrations." + StoreSchema.FolderOf(provider.Name);
    private IReadOnlyDictionary<string, TypeInfo>? _migrations;
    private ModelSnapshot? _snapshot;
    private bool _snapshotFound;

    public override IReadOnlyDictionary<string, TypeInfo> Migrations =>
        _migrations ??= base.Migrations.Where(m => InSet(m.Value)).ToDictionary(m => m.Key, m => m.Value);

    public override ModelSnapshot? ModelSnapshot
    {
        get
        {
            if (!_snapshotFound)
            {
                var type = Assembly.GetTypes().FirstOrDefault(t => t.IsSubclassOf(typeof(ModelSnapshot)) && !t.IsAbstract
                    && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == _contextType && InSet(t));
                _snapshot = type is null ? null : (ModelSnapshot)Activator.CreateInstance(type)!;
                _snapshotFound = true;
            }

            return _snapshot;
        }
    }

    private bool InSet(Type type) => type.Namespace?.EndsWith(_namespaceSuffix, StringComparison.Ordinal) == true;
}
