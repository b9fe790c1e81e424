using System.CommandLine;
using Spectre.Console;

namespace MicroComms.Host;

/// <summary>The console an operator command writes its tables to: the invocation's output, wide when not a terminal.</summary>
public static class OperatorConsole
{
    private const int RedirectedOutputWidth = 250;

    public static IAnsiConsole Create(ParseResult parse)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(parse.InvocationConfiguration.Output),
        });
        if (!ReferenceEquals(parse.InvocationConfiguration.Output, Console.Out) || Console.IsOutputRedirected)
        {
            // Piped or captured output has no terminal width; wrapping would split message ids across lines.
            console.Profile.Width = RedirectedOutputWidth;
        }

        return console;
    }
}
