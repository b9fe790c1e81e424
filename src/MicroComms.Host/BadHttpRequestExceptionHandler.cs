using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace MicroComms.Host;

/// <summary>
/// A request the server refused while an endpoint read it (a body over the size limit: 413, a malformed body): the
/// client's fault, so it gets that status as problem details and an information line, not a 500 and an error log.
/// </summary>
public sealed class BadHttpRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadHttpRequestExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        logger.LogInformation(
            "HTTP {Method} {Path} refused with {StatusCode}: {Reason}", httpContext.Request.Method, httpContext.Request.Path, bad.StatusCode, bad.Message);
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = ReasonPhrases.GetReasonPhrase(bad.StatusCode),
                Detail = bad.Message,
            },
        });
    }
}
