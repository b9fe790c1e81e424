using System.Globalization;
using System.Net;
using System.Text;
using MicroComms.Benchmarks.Scenarios;

namespace MicroComms.Benchmarks.Reporting;

/// <summary>
/// A hand-written horizontal bar chart: one panel per metric of a family, a bar per variant at its median and a
/// whisker from min to max.
/// </summary>
public static class SvgChart
{
    private const int Width = 900;
    private const int LabelWidth = 330;
    private const int BarHeight = 18;
    private const int RowGap = 6;
    private const int PanelHeader = 30;
    private const int Margin = 12;

    public static string Render(string title, IReadOnlyList<SummaryRow> rows)
    {
        var panels = rows.GroupBy(r => (r.Metric, r.Unit)).ToList();
        var height = Margin + 24 + panels.Sum(p => PanelHeader + (p.Count() * (BarHeight + RowGap))) + Margin;
        var svg = new StringBuilder();
        svg.AppendLine(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(Inv($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>"));
        svg.AppendLine(Inv($"<text x=\"{Margin}\" y=\"{Margin + 14}\" font-size=\"16\" font-weight=\"bold\">{Escape(title)}</text>"));
        var y = Margin + 24;
        var plotWidth = Width - LabelWidth - (2 * Margin) - 90;
        foreach (var panel in panels)
        {
            var better = panel.First().HigherIsBetter ? "higher is better" : "lower is better";
            svg.AppendLine(Inv($"<text x=\"{Margin}\" y=\"{y + 20}\" font-weight=\"bold\">{Escape(panel.Key.Metric)} ({Escape(panel.Key.Unit)}, {better}, median with min-max)</text>"));
            y += PanelHeader;
            var scale = panel.Max(r => r.Max);
            scale = scale <= 0 ? 1 : scale;
            foreach (var r in panel)
            {
                var x0 = LabelWidth + Margin;
                var w = r.Median / scale * plotWidth;
                var minX = x0 + (r.Min / scale * plotWidth);
                var maxX = x0 + (r.Max / scale * plotWidth);
                var mid = y + (BarHeight / 2.0);
                svg.AppendLine(Inv($"<text x=\"{x0 - 6}\" y=\"{mid + 4:0.#}\" text-anchor=\"end\">{Escape($"{r.Scenario}: {r.Variant}")}</text>"));
                svg.AppendLine(Inv($"<rect x=\"{x0}\" y=\"{y}\" width=\"{w:0.#}\" height=\"{BarHeight}\" fill=\"{Colour(r.Scenario)}\"/>"));
                svg.AppendLine(Inv($"<line x1=\"{minX:0.#}\" y1=\"{mid:0.#}\" x2=\"{maxX:0.#}\" y2=\"{mid:0.#}\" stroke=\"black\"/>"));
                svg.AppendLine(Inv($"<line x1=\"{minX:0.#}\" y1=\"{y + 4}\" x2=\"{minX:0.#}\" y2=\"{y + BarHeight - 4}\" stroke=\"black\"/>"));
                svg.AppendLine(Inv($"<line x1=\"{maxX:0.#}\" y1=\"{y + 4}\" x2=\"{maxX:0.#}\" y2=\"{y + BarHeight - 4}\" stroke=\"black\"/>"));
                svg.AppendLine(Inv($"<text x=\"{maxX + 6:0.#}\" y=\"{mid + 4:0.#}\">{Escape(MarkdownReport.Format(r.Median, r.Unit))}</text>"));
                y += BarHeight + RowGap;
            }
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Colour(string scenario) => scenario switch
    {
        "limit" => "#9e9e9e",
        "microcomms" => "#1565c0",
        "masstransit-defaults" => "#ef6c00",
        "masstransit-tuned" => "#ffa726",
        "peer" => "#6a1b9a",
        _ when scenario.StartsWith(PeerOutboxScenario.NamePrefix, StringComparison.Ordinal) => "#6a1b9a",
        _ => "#2e7d32",
    };

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
