using System.ComponentModel.DataAnnotations;

namespace MicroComms.Host.WebConsole;

/// <summary>The operator web console (<c>--services console</c>, part of <c>all</c>), bound from <c>MicroComms:Console</c>.</summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "MicroComms:Console";

    /// <summary>
    /// The console's own HTTP address (its routes answer only there). A fixed port: the console is told apart from the
    /// Gateway by it. Unset while the Host's <c>Urls</c> ask for a free port (port 0, tests), the console takes one too.
    /// </summary>
    public string Url { get; set; } = DefaultUrl;

    public const string DefaultUrl = "http://127.0.0.1:5082";

    /// <summary>
    /// The operator password, hashed (ASP.NET Core Identity's format: <c>microcomms console hash-password</c>). Unset, the
    /// development password <see cref="ConsolePassword.DevelopmentPassword"/> is accepted, and only on a loopback address.
    /// </summary>
    public string? PasswordHash { get; set; }

    /// <summary>The name replays and purges are logged under.</summary>
    [Required]
    public string OperatorName { get; set; } = "operator";

    /// <summary>How long a login lasts without use.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Failed logins within <see cref="FailedLoginWindow"/> after which every login is refused until the window passes.</summary>
    [Range(1, 1000)]
    public int MaxFailedLogins { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Rows per page of every list (parked messages, set-aside rows, workflows).</summary>
    [Range(1, 500)]
    public int PageSize { get; set; } = 50;

    /// <summary>The default threshold of the sagas page: workflows not final for longer than this are listed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often an open page refreshes its counts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A trace search link for one order, shown on its timeline when telemetry is on, with <c>{orderId}</c> replaced:
    /// e.g. Jaeger's <c>http://127.0.0.1:16686/search?service=microcomms-all&amp;tags=%7B%22order.id%22%3A%22{orderId}%22%7D</c>.
    /// </summary>
    public string? TraceSearchUrl { get; set; }
}
