using TeacherPlatform.Ingestion.Extraction;

namespace TeacherPlatform.Ingestion.Partitioning;

/// <summary>Where one section sits in the joined text.</summary>
public sealed record SectionSpan(int Start, int End, int PageNumber, double? StartSeconds);

/// <summary>
/// A document's sections as one string (trimmed, empty ones skipped, joined by "\n\n"); chunk offsets refer to it.
/// </summary>
public sealed record JoinedText(string Text, IReadOnlyList<SectionSpan> Spans)
{
    public const string Separator = "\n\n";

    public static JoinedText From(IEnumerable<ExtractedSection> sections)
    {
        var builder = new System.Text.StringBuilder();
        var spans = new List<SectionSpan>();
        foreach (var section in sections)
        {
            var text = section.Text.Trim();
            if (text.Length == 0) continue;
            if (builder.Length > 0) builder.Append(Separator);
            spans.Add(new SectionSpan(builder.Length, builder.Length + text.Length, section.PageNumber, section.StartSeconds));
            builder.Append(text);
        }

        return new JoinedText(builder.ToString(), spans);
    }

    /// <summary>Index of the section containing <paramref name="offset"/> (separators belong to the section before).</summary>
    public int SectionAt(int offset)
    {
        int lo = 0, hi = Spans.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Spans[mid].Start <= offset) lo = mid;
            else hi = mid - 1;
        }

        return lo;
    }
}
