namespace MicroComms.Messaging.Stores;

/// <summary>Where a service keeps everything durable (<c>MicroComms:Store</c>).</summary>
public enum StoreKind
{
    /// <summary>One SQLite file per service on the machine it runs on: the embedded default, one instance per service.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database per service: several instances per service, on several machines.</summary>
    Postgres,
}
