using System.Diagnostics;
using System.Globalization;

namespace MicroComms.Benchmarks.Infrastructure;

/// <summary>
/// CPU time spent between <see cref="Start"/> and <see cref="Stop"/>: by this process (every in-process service and the
/// bench itself) and by the whole machine (adding the broker and, on PostgreSQL, the database server's backends, which
/// run as processes of their own).
/// </summary>
public sealed class CpuMeter
{
    /// <summary>Linux reports /proc/stat in USER_HZ ticks, 100 per second on every architecture .NET runs on.</summary>
    private const double MillisecondsPerTick = 10;

    private TimeSpan _process;
    private double _machine;

    public static CpuMeter Start() => new() { _process = ProcessCpu(), _machine = MachineBusyMilliseconds() };

    public (double ProcessMilliseconds, double MachineMilliseconds) Stop() =>
        ((ProcessCpu() - _process).TotalMilliseconds, MachineBusyMilliseconds() - _machine);

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>user + nice + system + irq + softirq + steal from the first line of /proc/stat; NaN where there is none.</summary>
    private static double MachineBusyMilliseconds()
    {
        if (!File.Exists("/proc/stat"))
        {
            return double.NaN;
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int[] busy = [1, 2, 3, 6, 7, 8];
        return busy.Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture)) * MillisecondsPerTick;
    }
}
