using System.CommandLine;
using MicroComms.Host.Errors;
using Microsoft.Extensions.Configuration;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
var root = new RootCommand("MicroComms errors commands (test runner)") { ErrorsCommand.Create(configuration) };
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync(error.Message);
    }

    return ExitCodes.Usage;
}

return await parse.InvokeAsync();
