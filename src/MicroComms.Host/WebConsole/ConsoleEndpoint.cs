using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MicroComms.Host.WebConsole;

/// <summary>
/// The console's own Kestrel endpoint (<c>Kestrel:Endpoints:Console</c>): its connections are marked, so the console's
/// routes answer only there and the Gateway's only on its own addresses, whatever the ports (port 0 included).
/// </summary>
public sealed class ConsoleEndpoint
{
    public const string KestrelName = "Console";

    private const string ConnectionMark = "MicroComms.Console";

    private ListenOptions? _listen;

    /// <summary>The console's address once the server listens (port 0 resolved); null before, or without a console.</summary>
    public Uri? Address => _listen?.IPEndPoint is { } endPoint
        ? new Uri($"http://{(endPoint.Address.Equals(System.Net.IPAddress.IPv6Loopback) ? "[::1]" : endPoint.Address.ToString())}:{endPoint.Port}/console/")
        : null;

    /// <summary>Marks every connection of <paramref name="listen"/> as the console's.</summary>
    internal void Attach(ListenOptions listen)
    {
        _listen = listen;
        listen.Use(next => connection =>
        {
            connection.Items[ConnectionMark] = true;
            return next(connection);
        });
    }

    internal static bool IsConsoleConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ConnectionMark) == true;
}
