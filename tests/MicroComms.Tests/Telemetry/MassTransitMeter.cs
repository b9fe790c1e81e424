using System.Runtime.CompilerServices;
using MassTransit.Logging;
using MassTransit.Monitoring;

namespace MicroComms.Tests.Telemetry;

/// <summary>
/// MassTransit creates its meter once per process, from the first host's meter factory, and keeps it when that host is
/// disposed (its instruments then report to nobody). A process runs one host in production; this test process runs
/// hundreds one after another, so the meter is created here, before any host, once for them all.
/// </summary>
internal static class MassTransitMeter
{
    [ModuleInitializer]
    internal static void CreateOnceForTheTestProcess()
    {
        var options = new InstrumentationOptions();
        new ConfigureDefaultInstrumentationOptions().Configure(options);
        LogContextInstrumentationExtensions.TryConfigure(options);
    }
}
