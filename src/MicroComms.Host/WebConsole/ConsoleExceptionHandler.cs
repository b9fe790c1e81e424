using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Diagnostics;

namespace MicroComms.Host.WebConsole;

/// <summary>
/// The last resort of a console page: an unexpected failure is logged with its request and shown as a page that says
/// what failed and that nothing was changed by the failure itself, never a stack trace or a bare 500. The pages catch
/// the failures they expect (broker, database) and show them in place; this is for the rest.
/// </summary>
internal sealed class ConsoleExceptionHandler(ILogger<ConsoleExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!httpContext.Request.Path.StartsWithSegments(WebConsoleRegistration.PathBase))
        {
            return false;
        }

        logger.LogError(exception, "Console request {Method} {Path} failed: {Reason}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.ContentType = "text/html; charset=utf-8";
        var message = HtmlEncoder.Default.Encode(exception.GetBaseException().Message);
        await httpContext.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Console error - MicroComms</title>
            <link rel="stylesheet" href="/console/assets/console.css"></head>
            <body><main><h1>Something failed</h1>
            <div role="alert">The console could not complete this request: {message}. The failure is logged; what it was doing is
            all or nothing, so no message was lost. Try again, or go back to <a href="/console/queues">Queues</a>.</div>
            </main></body></html>
            """, cancellationToken);
        return true;
    }
}
