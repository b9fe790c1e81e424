using System.CommandLine;

namespace MicroComms.Host.WebConsole;

/// <summary>
/// <c>console hash-password</c>: the hash for <c>MicroComms:Console:PasswordHash</c>, from a password read on standard
/// input (so it stays out of the shell history and the process list). The password itself is never stored.
/// </summary>
public static class ConsoleCommand
{
    public static Command Create()
    {
        var command = new Command("console", "The operator web console (it runs with the services: --services console, or all).");
        var hash = new Command("hash-password", "Read a password on standard input and print its hash for MicroComms:Console:PasswordHash.");
        hash.SetAction(async (parse, ct) =>
        {
            if (!Console.IsInputRedirected)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("Password (input is not echoed, end with Enter):");
            }

            var password = Console.IsInputRedirected ? await Console.In.ReadLineAsync(ct) : ReadHidden();
            if (string.IsNullOrEmpty(password) || password.Length < 12)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("The password must be at least 12 characters long.");
                return Errors.ExitCodes.Usage;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(ConsolePassword.Hash(password));
            return Errors.ExitCodes.Ok;
        });
        command.Subcommands.Add(hash);
        return command;
    }

    private static string ReadHidden()
    {
        var password = new System.Text.StringBuilder();
        while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
        {
            if (key.Key == ConsoleKey.Backspace && password.Length > 0)
            {
                password.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        return password.ToString();
    }
}
