using MicroComms.Messaging.Stores;
using Microsoft.Data.Sqlite;

namespace MicroComms.Host;

/// <summary>
/// One database as the operator commands (<c>outbox</c>, <c>scheduler</c>) see it: its name, its store, where it is,
/// whether it exists.
/// </summary>
public sealed record OperatorDatabase(string Name, string ConnectionString, StoreKind Store)
{
    /// <summary>Where the database is, for people: the SQLite file, or PostgreSQL's host, port and database.</summary>
    public string Location => Store == StoreKind.Postgres && string.IsNullOrEmpty(ConnectionString)
        ? "no connection string"
        : StoreSchema.Location(Store, ConnectionString);

    /// <summary>
    /// False when the service never ran here, so the commands report it instead of creating an empty file. A PostgreSQL
    /// database is taken to exist when its connection string is set (opening it says clearly when it does not); a
    /// service without one is not run here, and opening "" failed the whole command with an unhandled exception.
    /// </summary>
    public bool Exists => Store == StoreKind.Postgres
        ? !string.IsNullOrEmpty(ConnectionString)
        : Location is not ("" or ":memory:") && File.Exists(Location);

    /// <summary>Opens the database for a command; a SQLite file is opened read-write only, so a command never creates one.</summary>
    public TContext Open<TContext>(Func<StoreKind, string, TContext> open) =>
        open(Store, Store == StoreKind.Postgres
            ? ConnectionString
            : new SqliteConnectionStringBuilder(ConnectionString) { Mode = SqliteOpenMode.ReadWrite }.ToString());
}
