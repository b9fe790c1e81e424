using System.ComponentModel.DataAnnotations;

namespace MicroComms.Host;

/// <summary>Limits on the HTTP requests every MicroComms process accepts, bound from <c>MicroComms:Http</c>.</summary>
public sealed class HttpLimitsOptions
{
    public const string SectionName = "MicroComms:Http";

    /// <summary>
    /// Longest path and query (the request target) answered; a longer one gets 414 problem details. Kestrel's own
    /// request-line limit is set to twice this (<see cref="KestrelRequestLineSize"/>), because Kestrel refuses a line
    /// over its limit before the pipeline runs, with an empty 414 that no middleware can turn into problem details.
    /// </summary>
    [Range(256, 1_048_576)]
    public int MaxRequestTargetLength { get; set; } = 8_192;

    /// <summary>Largest request body, in bytes; a bigger one gets 413. An order of the most lines allowed is a few kilobytes.</summary>
    [Range(1_024, 100 * 1_048_576)]
    public long MaxRequestBodySize { get; set; } = 1_048_576;

    public int KestrelRequestLineSize => 2 * MaxRequestTargetLength;
}
