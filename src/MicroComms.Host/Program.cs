using MicroComms.Host;
using MicroComms.Host.Crash;
using MicroComms.Host.Db;
using MicroComms.Host.Errors;
using MicroComms.Host.Outbox;
using MicroComms.Host.Scheduler;

var root = MicroCommsCommands.CreateRoot();

// Operator commands read the broker and database settings the services use: appsettings.json, then MicroComms__* variables,
// then the files of MicroComms:SecretsDirectory.
var settings = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables();
var configuration = settings.AddMicroCommsSecrets(settings.Build()).Build();
root.Subcommands.Add(ErrorsCommand.Create(configuration));
root.Subcommands.Add(OutboxCommand.Create(configuration));
root.Subcommands.Add(SchedulerCommand.Create(configuration));
root.Subcommands.Add(DbCommand.Create(configuration));
root.Subcommands.Add(CrashCommand.Create());
root.Subcommands.Add(MicroComms.Host.WebConsole.ConsoleCommand.Create());

return await MicroCommsCommands.InvokeAsync(root, args);
