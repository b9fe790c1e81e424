using MicroComms.Benchmarks.Infrastructure;

namespace MicroComms.Benchmarks.Scenarios.RequestResponse;

/// <summary>
/// An Orders service started for the request-response rows: the hosts (and virtual host) it shares with its bus
/// callers, the process, and its h2c address for the direct gRPC calls.
/// </summary>
public sealed record OrdersHost(ServiceHosts Hosts, string VirtualHost, WebApplication App, Uri Grpc);
