using MessagePack;

namespace MicroComms.Messaging.Serialization;

/// <summary>
/// The last value read from a run of envelope fields, kept with those fields' bytes: the next envelope whose run has the
/// same bytes (and was read against the same message types) gets the same value without reading it again. One entry,
/// replaced whole, so readers on several threads each see a matching pair or read for themselves.
/// </summary>
/// <param name="items">How many MessagePack items the run is.</param>
/// <param name="read">Reads the run; it gets the envelope's message types, for a reader that needs them.</param>
internal sealed class RepeatedBlock<T>(int items, RepeatedBlock<T>.Reader read)
{
    internal delegate T Reader(ref MessagePackReader reader, string[] types);

    private Entry? _last;

    public T Read(ref MessagePackReader reader, ReadOnlyMemory<byte> body, string[] types)
    {
        var start = (int)reader.Consumed;
        var end = reader.CreatePeekReader();
        for (var i = 0; i < items; i++)
        {
            end.Skip();
        }

        var bytes = body.Span[start..(int)end.Consumed];
        var last = _last;
        if (last is not null && ReferenceEquals(last.Types, types) && bytes.SequenceEqual(last.Bytes))
        {
            reader = end;
            return last.Value;
        }

        var value = read(ref reader, types);
        _last = new Entry(bytes.ToArray(), types, value);
        return value;
    }

    private sealed record Entry(byte[] Bytes, string[] Types, T Value);
}
