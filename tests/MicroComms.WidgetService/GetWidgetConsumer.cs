using MassTransit;

namespace MicroComms.WidgetService;

public sealed class GetWidgetConsumer(OutboxTestDbContext db) : IConsumer<GetWidget>
{
    public async Task Consume(ConsumeContext<GetWidget> context)
    {
        var widget = await db.Widgets.FindAsync([context.Message.Id], context.CancellationToken);
        await context.RespondAsync(new WidgetInfo(context.Message.Id, widget?.Name ?? "", widget is not null));
    }
}
