using System.Net;
using System.Net.Sockets;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>A free TCP port on 127.0.0.1, for a listener that needs its address known before it starts (the console's).</summary>
internal static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
