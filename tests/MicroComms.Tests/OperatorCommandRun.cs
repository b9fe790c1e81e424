using System.CommandLine;
using MicroComms.Host;

namespace MicroComms.Tests;

/// <summary>Runs one operator command (<c>outbox</c>, <c>scheduler</c>) as the executable would, on a data folder, capturing its output.</summary>
internal static class OperatorCommandRun
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(Command command, string data, params string[] args)
    {
        var root = MicroCommsCommands.CreateRoot();
        root.Subcommands.Add(command);
        var parse = root.Parse([.. args, "--data", data]);
        if (parse.Errors.Count > 0)
        {
            return (MicroCommsCommands.UsageError, "", string.Join(Environment.NewLine, parse.Errors.Select(e => e.Message)));
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
