using MicroComms.Host;

var root = MicroCommsCommands.CreateRoot();

// Operator commands join the tree here, e.g. root.Subcommands.Add(MicroComms.Host.Errors.ErrorsCommand.Create());

return await MicroCommsCommands.InvokeAsync(root, args);
