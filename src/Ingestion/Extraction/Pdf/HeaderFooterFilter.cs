using System.Text;

namespace TeacherPlatform.Ingestion.Extraction.Pdf;

/// <summary>
/// Drops running headers and footers: lines among the first or last <see cref="EdgeLines"/> of a page whose text,
/// with digits normalised ("Page 3" ≈ "Page 7"), recurs on at least 60% of pages. Needs ≥ 3 pages to be confident.
/// </summary>
internal static class HeaderFooterFilter
{
    private const int EdgeLines = 2;
    private const int MinPages = 3;
    private const double MinShare = 0.6;

    public static IReadOnlyList<PageLayout> Apply(IReadOnlyList<PageLayout> pages)
    {
        var withText = pages.Where(p => p.Blocks.Count > 0).ToList();
        if (withText.Count < MinPages) return pages;

        var pagesPerKey = withText
            .SelectMany(p => EdgeKeys(p).Distinct())
            .GroupBy(k => k)
            .ToDictionary(g => g.Key, g => g.Count());
        var threshold = (int)Math.Ceiling(withText.Count * MinShare);
        var repeated = pagesPerKey.Where(kv => kv.Value >= threshold).Select(kv => kv.Key).ToHashSet();
        return repeated.Count == 0 ? pages : pages.Select(p => Without(p, repeated)).ToList();
    }

    private static IEnumerable<string> EdgeKeys(PageLayout page)
    {
        var lines = page.Lines.ToList();
        return lines.Select((line, i) => (line, i))
            .Where(x => IsEdge(x.i, lines.Count))
            .Select(x => Normalize(x.line));
    }

    private static bool IsEdge(int index, int count) => index < EdgeLines || index >= count - EdgeLines;

    private static PageLayout Without(PageLayout page, HashSet<string> repeated)
    {
        var total = page.Lines.Count();
        var position = 0;
        var blocks = new List<IReadOnlyList<string>>();
        foreach (var block in page.Blocks)
        {
            var kept = new List<string>();
            foreach (var line in block)
            {
                if (!(IsEdge(position, total) && repeated.Contains(Normalize(line)))) kept.Add(line);
                position++;
            }

            if (kept.Count > 0) blocks.Add(kept);
        }

        return page with { Blocks = blocks };
    }

    internal static string Normalize(string line)
    {
        var sb = new StringBuilder(line.Length);
        foreach (var ch in line.Trim())
        {
            if (char.IsDigit(ch)) { if (sb.Length == 0 || sb[^1] != '#') sb.Append('#'); }
            else if (char.IsWhiteSpace(ch)) { if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' '); }
            else sb.Append(char.ToLowerInvariant(ch));
        }

        return sb.ToString();
    }
}
