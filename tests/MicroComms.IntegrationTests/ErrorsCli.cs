using System.CommandLine;
using System.Diagnostics;
using MicroComms.Host.Errors;
using Microsoft.Extensions.Configuration;

namespace MicroComms.IntegrationTests;

/// <summary>Runs the <c>errors</c> command in process (parse + invoke) or in a child process that a test may kill.</summary>
internal static class ErrorsCli
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var root = new RootCommand { ErrorsCommand.Create(configuration) };
        var parse = root.Parse(args);
        using var output = new StringWriter();
        using var error = new StringWriter();
        if (parse.Errors.Count > 0)
        {
            return (ExitCodes.Usage, "", string.Join(Environment.NewLine, parse.Errors.Select(e => e.Message)));
        }

        var exit = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The same command in its own process, the Host's own executable (<c>microcomms errors ...</c>), configured through the environment.</summary>
    public static Process Start(Dictionary<string, string?> settings, params string[] args)
    {
        var runner = Path.Combine(AppContext.BaseDirectory, "microcomms.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(runner);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start " + runner);
    }
}
