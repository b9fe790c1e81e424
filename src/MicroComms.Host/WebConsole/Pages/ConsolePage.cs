using MicroComms.Host.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>
/// What every console page shares: the live-refresh interval, the result of the last change (carried over the redirect
/// after a POST, so a reload never repeats it), the problem shown in place of a part that could not be read, and the
/// audit log of changes.
/// </summary>
public abstract class ConsolePage(IOptions<ConsoleOptions> options, ILogger logger) : PageModel
{
    protected ConsoleOptions Options => options.Value;

    /// <summary>Set by the page's script when it polls: the page skips what does not change its counts.</summary>
    [BindProperty(SupportsGet = true, Name = "live")]
    public bool Live { get; set; }

    [TempData]
    public string? Status { get; set; }

    [TempData]
    public string? Alert { get; set; }

    /// <summary>Why a part of the page could not be read (broker down, database missing); the rest is still shown.</summary>
    public string? Problem { get; protected set; }

    public int LiveIntervalMilliseconds => (int)Options.LiveInterval.TotalMilliseconds;

    /// <summary>Logs a change (or an attempt) with who and what, without showing anything.</summary>
    protected void Audit(string action, string target, string result) => ConsoleAudit.Changed(logger, HttpContext, action, target, result);

    /// <summary>Logs a change with who and what, and shows <paramref name="result"/> after the redirect.</summary>
    protected void Changed(string action, string target, string result, bool failed = false)
    {
        ConsoleAudit.Changed(logger, HttpContext, action, target, result);
        if (failed)
        {
            Alert = result;
        }
        else
        {
            Status = result;
        }
    }

    /// <summary>
    /// Runs a read; a failure the operator can act on (broker down, database missing or locked) becomes <see cref="Problem"/>
    /// and a 503, and the page renders what it has.
    /// </summary>
    protected async Task<T?> ReadAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (ErrorCommandException ex)
        {
            logger.LogWarning("Console page {Path} could not read: {Reason}", Request.Path, ex.Message);
            Problem = ex.Message;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return default;
        }
    }

    protected static string Plural(long n, string one) => n == 1 ? $"1 {one}" : $"{n} {one}s";

    public static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => $"{Math.Max(0, (int)age.TotalSeconds)}s",
        { TotalHours: < 1 } => $"{age.Minutes}m {age.Seconds}s",
        { TotalDays: < 1 } => $"{age.Hours}h {age.Minutes}m",
        _ => $"{(int)age.TotalDays}d {age.Hours}h",
    };
}
