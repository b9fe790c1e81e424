using System.Security.Claims;

namespace MicroComms.Host.WebConsole;

/// <summary>Who did what: every replay and purge is logged with the operator, the login session, the address, the target and the result.</summary>
internal static class ConsoleAudit
{
    public const string SessionClaim = "microcomms:session";

    public static void Changed(ILogger logger, HttpContext context, string action, string target, string result) =>
        logger.LogWarning(
            "Console {Action} of {Target} by {Operator} (session {Session}, from {Address}): {Result}",
            action,
            target,
            context.User.Identity?.Name ?? "(anonymous)",
            context.User.FindFirstValue(SessionClaim) ?? "-",
            context.Connection.RemoteIpAddress?.ToString() ?? "-",
            result);
}
