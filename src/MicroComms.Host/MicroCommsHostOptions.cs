using System.ComponentModel.DataAnnotations;

namespace MicroComms.Host;

/// <summary>What this process runs and where, bound from <c>MicroComms:Host</c> (command-line options override it).</summary>
public sealed class MicroCommsHostOptions
{
    public const string SectionName = "MicroComms:Host";

    /// <summary>Comma-separated services to run: orders, inventory, payments, notifications, gateway (or "all").</summary>
    [Required]
    public string Services { get; set; } = "all";

    /// <summary>Folder of the services' SQLite files, unless <c>ConnectionStrings:&lt;Service&gt;</c> names one.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>HTTP/1.1 addresses of the REST gateway and Inventory's endpoints (';'-separated).</summary>
    [Required]
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>
    /// Cleartext HTTP/2 (h2c) address for gRPC, used when the Gateway (its front door) or Orders (its direct calls) runs
    /// here; empty turns it off.
    /// Needs a fixed port (it is told apart from the HTTP/1.1 addresses by its port).
    /// </summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:5081";
}
