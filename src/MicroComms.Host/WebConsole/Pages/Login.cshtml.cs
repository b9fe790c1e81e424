using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>The operator's login: one password, checked against its hash; failures are counted (<see cref="LoginThrottle"/>) and logged.</summary>
public sealed class LoginModel(ConsolePassword password, LoginThrottle throttle, IOptions<ConsoleOptions> options, ILogger<LoginModel> logger) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync([FromForm(Name = "password")] string? given)
    {
        var wait = throttle.RetryAfter();
        if (wait > TimeSpan.Zero)
        {
            logger.LogWarning("Console login refused from {Address}: too many failed attempts", HttpContext.Connection.RemoteIpAddress);
            Error = $"Too many failed logins: try again in {Math.Ceiling(wait.TotalSeconds)} seconds.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }

        if (!password.Verify(given ?? ""))
        {
            throttle.Failed();
            logger.LogWarning("Console login failed from {Address}: wrong password", HttpContext.Connection.RemoteIpAddress);
            Error = "Wrong password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        var session = Guid.NewGuid().ToString("N")[..12];
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, options.Value.OperatorName), new Claim(ConsoleAudit.SessionClaim, session)],
            WebConsoleRegistration.CookieScheme);
        await HttpContext.SignInAsync(WebConsoleRegistration.CookieScheme, new ClaimsPrincipal(identity));
        logger.LogInformation("Console login of {Operator} (session {Session}) from {Address}", options.Value.OperatorName, session, HttpContext.Connection.RemoteIpAddress);
        return LocalRedirect(ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith(WebConsoleRegistration.PathBase, StringComparison.Ordinal)
            ? url
            : WebConsoleRegistration.PathBase + "/queues");
    }
}
