using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>Ends the login (a POST with its anti-forgery token, so another site cannot log the operator out).</summary>
public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => Redirect(WebConsoleRegistration.PathBase + "/queues");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(WebConsoleRegistration.CookieScheme);
        return Redirect(WebConsoleRegistration.PathBase + "/login");
    }
}
