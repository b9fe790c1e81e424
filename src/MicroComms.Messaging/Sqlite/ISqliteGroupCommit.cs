using Microsoft.EntityFrameworkCore;

namespace MicroComms.Messaging.Sqlite;

/// <summary>The group commit of a DbContext type, found from any of its instances (see <see cref="Stores.StoreWrite"/>).</summary>
internal interface ISqliteGroupCommit
{
    bool CanJoin(DbContext context);

    Task<T> RunAsync<T>(DbContext context, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken, Action? committed = null);
}
