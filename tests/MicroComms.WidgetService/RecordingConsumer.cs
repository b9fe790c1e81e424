using MassTransit;

namespace MicroComms.WidgetService;

/// <summary>The receiving service: records every WidgetCreated and WidgetRenamed it consumes.</summary>
public sealed class RecordingConsumer(Recorder recorder) : IConsumer<WidgetCreated>, IConsumer<WidgetRenamed>
{
    public Task Consume(ConsumeContext<WidgetCreated> context)
    {
        recorder.Add(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<WidgetRenamed> context)
    {
        recorder.Add(context.Message);
        return Task.CompletedTask;
    }
}
