using MicroComms.Messaging.Stores;
using Microsoft.EntityFrameworkCore;

namespace MicroComms.Host.Db;

/// <summary>A database whose schema the <c>db</c> commands keep: its name (lower case, as <c>--service</c> takes it) and how to open it.</summary>
public sealed record SchemaDatabase(string ConnectionStringName, Func<StoreKind, string, DbContext> Open)
{
    public string Name => ConnectionStringName.ToLowerInvariant();
}
