using Microsoft.Playwright;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>
/// Debian's chromium (tests/run.sh installs it from apt), launched headless through Playwright. Playwright's own
/// browser download is not reachable from the machines these specs run on, so it is pointed at the installed one.
/// </summary>
public static class Chromium
{
    /// <summary>Names an executable when chromium is somewhere else (another distribution's package, a local build).</summary>
    public const string ExecutableVariable = "MICROCOMMS_CHROMIUM";

    private static readonly string[] Names = ["chromium", "chromium-browser"];
    private static readonly string[] KnownPaths = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"];

    /// <summary>The chromium executable: the variable, else the PATH (as <c>command -v chromium</c>), else Debian's path.</summary>
    /// <exception cref="InvalidOperationException">No chromium on this machine: the sentence says how to install it.</exception>
    public static string FindExecutable()
    {
        var named = Environment.GetEnvironmentVariable(ExecutableVariable);
        if (!string.IsNullOrWhiteSpace(named))
        {
            return File.Exists(named)
                ? named
                : throw new InvalidOperationException($"{ExecutableVariable} names {named}, which does not exist.");
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var found = Names.SelectMany(name => path.Select(folder => Path.Combine(folder, name))).Concat(KnownPaths).FirstOrDefault(File.Exists);
        return found ?? throw new InvalidOperationException(
            "No chromium found (looked on the PATH for chromium and chromium-browser, and at /usr/bin/chromium): the browser specs "
            + $"drive Debian's chromium. Install it with 'apt-get install -y chromium' (tests/run.sh does), or set {ExecutableVariable}.");
    }

    /// <summary>Starts headless chromium; as root it runs without its sandbox (which refuses to start as root).</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        List<string> args = [];
        if (Environment.IsPrivilegedProcess)
        {
            args.Add("--no-sandbox");
        }

        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = FindExecutable(),
            Headless = true,
            Args = args,
        });
    }
}
