using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace MicroComms.Host;

/// <summary>
/// A request the server refused while an endpoint read it (a body over the size limit: 413, a body in another content
/// type: 415, JSON that does not read as the endpoint's type: 400 naming the field): the client's fault, so it gets that
/// status as problem details and an information line, not a 500 and an error log.
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
            ProblemDetails = bad.InnerException is JsonException json ? NotValidJson(json) : new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = ReasonPhrases.GetReasonPhrase(bad.StatusCode),
                Detail = bad.Message,
            },
        });
    }

    /// <summary>
    /// A body that does not read as the endpoint's type: the path names the field that did not parse
    /// (<c>$.lines[0].quantity</c>), e.g. a string where a number belongs or a key given twice (the JSON options refuse
    /// both), so it is reported like any other bad field.
    /// </summary>
    private static HttpValidationProblemDetails NotValidJson(JsonException json)
    {
        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
        return new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            [field] = ["Not valid JSON for this field (numbers unquoted, each key once)."],
        })
        {
            Status = StatusCodes.Status400BadRequest,
        };
    }
}
