using System.Net;
using System.Net.Sockets;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>A free TCP port on 127.0.0.1, for listeners that need their port fixed before they start.</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
