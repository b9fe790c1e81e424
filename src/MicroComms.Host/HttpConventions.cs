using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace MicroComms.Host;

/// <summary>
/// What every MicroComms process does with HTTP, whichever services it runs: every 4xx/5xx is problem details
/// (<c>application/problem+json</c>), JSON bodies are read strictly, and the request limits come from
/// <see cref="HttpLimitsOptions"/>. <see cref="MicroCommsApp"/> calls both halves; tests that host a service on a
/// TestServer call them too.
/// </summary>
public static class HttpConventions
{
    public static IServiceCollection AddMicroCommsHttp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HttpLimitsOptions>()
            .Bind(configuration.GetSection(HttpLimitsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // The default writer titles only the common statuses; 413 and 414 would go out without one.
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Title ??= ReasonPhrases.GetReasonPhrase(status);
        });
        services.AddExceptionHandler<BadHttpRequestExceptionHandler>();

        // A body the framework cannot bind becomes an exception the handler above answers (naming the field), instead
        // of an empty 400 or 415.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            // The web defaults read "1" as the number 1 and let a repeated key silently win: both hide a client's mistake.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpLimitsOptions>>((kestrel, limits) =>
        {
            kestrel.Limits.MaxRequestLineSize = limits.Value.KestrelRequestLineSize;
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodySize;
        });
        return services;
    }

    /// <summary>Call before mapping endpoints: exception handler, status-code pages, then the request-target limit.</summary>
    public static WebApplication UseMicroCommsHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var maxTarget = app.Services.GetRequiredService<IOptions<HttpLimitsOptions>>().Value.MaxRequestTargetLength;
        app.Use(async (context, next) =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget
                ?? context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            if (target.Length <= maxTarget)
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status414UriTooLong;
            await Results.Problem(
                statusCode: StatusCodes.Status414UriTooLong,
                title: ReasonPhrases.GetReasonPhrase(StatusCodes.Status414UriTooLong),
                detail: $"The path and query are {target.Length} characters long; at most {maxTarget} are accepted.").ExecuteAsync(context);
        });
        return app;
    }
}
