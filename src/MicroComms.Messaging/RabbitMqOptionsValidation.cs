using Microsoft.Extensions.Options;

namespace MicroComms.Messaging;

/// <summary>What data annotations cannot say about the broker settings: a node that is not host:port, a development password off this machine, a CA file that is not there.</summary>
internal sealed class RabbitMqOptionsValidation : IValidateOptions<RabbitMqOptions>
{
    public ValidateOptionsResult Validate(string? name, RabbitMqOptions options)
    {
        var problems = options.HostsProblems().ToList();
        if (problems.Count > 0)
        {
            // The checks below read the nodes.
            return ValidateOptionsResult.Fail(problems);
        }

        if (options.DevelopmentPasswordProblem(options.Username, options.Password, "MicroComms:RabbitMq:Password") is { } password)
        {
            problems.Add(password);
        }

        if (options.UseTls && !string.IsNullOrWhiteSpace(options.TlsCaFile) && !File.Exists(options.TlsCaFile))
        {
            problems.Add($"MicroComms:RabbitMq:TlsCaFile names '{options.TlsCaFile}', which does not exist (rabbitmq/make-cert.sh writes ca.pem for a local node).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
