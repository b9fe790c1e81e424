using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MicroComms.Gateway;

/// <summary>
/// What the Gateway's OpenAPI document says beyond its endpoints' own metadata (summaries, tags, responses): the API's
/// name and purpose, that it expects a trusted network (no authentication; <c>security: [{}]</c> says so in OpenAPI's
/// words), one description per tag, and server addresses without a trailing slash. Kept so that Redocly's recommended
/// rules pass; <c>OpenApiDocument_Specs</c> checks the same properties.
/// </summary>
internal sealed class GatewayOpenApi : IOpenApiDocumentTransformer
{
    public const string Title = "MicroComms Gateway";

    public const string TrustedNetwork =
        "The Gateway does not authenticate callers: it expects a trusted network (a private subnet, or a reverse proxy "
        + "that authenticates and terminates TLS in front of it).";

    /// <summary>A description for every tag an endpoint uses; a tag missing here fails OpenApiDocument_Specs.</summary>
    public static readonly IReadOnlyDictionary<string, string> TagDescriptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Orders"] = "Place an order, follow its state, cancel it. Answers come from Orders over request-response on the bus.",
        ["Stock"] = "Stock levels as Inventory reports them.",
        ["Inventory"] = "Inventory's own endpoints (served by the process that runs Inventory): restocking a SKU.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = Title;
        document.Info.Description =
            "REST front door of the MicroComms example system. Every 4xx/5xx answer is `application/problem+json`. "
            + TrustedNetwork;

        // The generator writes the request's base address as "http://host:port/"; linters and client generators
        // join paths to it and would get "//orders".
        foreach (var server in document.Servers ?? [])
        {
            if (server.Url is { Length: > 1 } url && url.EndsWith('/'))
            {
                server.Url = url.TrimEnd('/');
            }
        }

        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }

        // One empty requirement: no credentials are asked for (stated, not forgotten).
        document.Security = [new OpenApiSecurityRequirement()];
        return Task.CompletedTask;
    }
}
