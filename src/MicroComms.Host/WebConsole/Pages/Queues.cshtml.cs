using MicroComms.Host.Errors;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole.Pages;

/// <summary>Every queue of the virtual host with depth, consumers and rates, then the error and skipped queues with their counts.</summary>
public sealed class QueuesModel(ConsoleBroker broker, IOptions<ConsoleOptions> options, ILogger<QueuesModel> logger) : ConsolePage(options, logger)
{
    public IReadOnlyList<QueueStatistics>? Queues { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var (client, problem) = broker.Connect();
        if (client is null)
        {
            Problem = problem;
            return;
        }

        Queues = (await ReadAsync(() => client.ListQueuesAsync(cancellationToken)))?.OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
    }
}
