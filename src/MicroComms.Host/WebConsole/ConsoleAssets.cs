using System.Collections.Frozen;

namespace MicroComms.Host.WebConsole;

/// <summary>The console's stylesheet and script, embedded in the executable: no CDN, no Node build, nothing to deploy beside it.</summary>
internal static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, (string ContentType, byte[] Content)> Assets = new Dictionary<string, (string, byte[])>
    {
        ["console.css"] = ("text/css; charset=utf-8", Read("console.css")),
        ["console.js"] = ("text/javascript; charset=utf-8", Read("console.js")),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IResult Serve(string name, HttpContext context)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        context.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream($"MicroComms.Host.WebConsole.Assets.{name}")
            ?? throw new InvalidOperationException($"The console asset {name} is not embedded in the executable.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
