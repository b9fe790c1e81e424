using Microsoft.Data.Sqlite;

namespace MicroComms.Host;

/// <summary>
/// One SQLite database as the operator commands (<c>outbox</c>, <c>scheduler</c>) see it: its name, its file, whether
/// the file exists.
/// </summary>
public sealed record OperatorDatabase(string Name, string ConnectionString)
{
    public string DataSource => new SqliteConnectionStringBuilder(ConnectionString).DataSource;

    /// <summary>False when the service never ran here: the commands report it instead of creating an empty file.</summary>
    public bool Exists => DataSource is not ("" or ":memory:") && File.Exists(DataSource);

    /// <summary>The connection string opened read-write only, so a command never creates a database.</summary>
    public string ExistingOnly => new SqliteConnectionStringBuilder(ConnectionString) { Mode = SqliteOpenMode.ReadWrite }.ToString();
}
