using MassTransit;

namespace MicroComms.WidgetService;

/// <summary>A database change plus an outgoing event: what the outbox must make atomic and the inbox idempotent.</summary>
public sealed class CreateWidgetConsumer(OutboxTestDbContext db) : IConsumer<CreateWidget>
{
    public async Task Consume(ConsumeContext<CreateWidget> context)
    {
        var widget = await db.Widgets.FindAsync([context.Message.Id], context.CancellationToken);
        if (widget is null)
        {
            widget = new Widget { Id = context.Message.Id, Name = context.Message.Name };
            db.Widgets.Add(widget);
        }

        // Deliberately not idempotent by itself: a second run is visible as Applied == 2.
        widget.Applied++;
        await db.SaveChangesAsync(context.CancellationToken);
        await context.Publish(new WidgetCreated(context.Message.Id, context.Message.Name), context.CancellationToken);
        for (var sequence = 1; sequence <= context.Message.Renames; sequence++)
        {
            await context.Publish(new WidgetRenamed(context.Message.Id, sequence), context.CancellationToken);
        }
    }
}
