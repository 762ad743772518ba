using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.DocumentLayoutAnalysis;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;

namespace TeacherPlatform.Ingestion.Extraction.Pdf;

/// <summary>
/// Page → blocks → lines using PdfPig's layout analysis: Docstrum groups words into lines and blocks (handles columns),
/// the unsupervised detector orders blocks for reading. Content-stream order is the fallback when analysis fails.
/// </summary>
internal static class PdfPageReader
{
    public static PageLayout Read(Page page) => FastPageLayout.TryRead(page) ?? Analyse(page);

    /// <summary>The full layout analysis, for pages whose content order is not their reading order.</summary>
    internal static PageLayout Analyse(Page page)
    {
        var words = page.GetWords(NearestNeighbourWordExtractor.Instance)
            .Where(w => !string.IsNullOrWhiteSpace(w.Text))
            .ToList();
        if (words.Count == 0) return new PageLayout(page.Number, []);

        try
        {
            var blocks = DocstrumBoundingBoxes.Instance.GetBlocks(words);
            var ordered = UnsupervisedReadingOrderDetector.Instance.Get(blocks).OrderBy(b => b.ReadingOrder);
            var layout = ordered
                .Select(IReadOnlyList<string> (b) => b.TextLines.Select(LineText).Where(l => l.Length > 0).ToList())
                .Where(b => b.Count > 0)
                .ToList();
            return new PageLayout(page.Number, layout);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            var lines = ContentOrderTextExtractor.GetText(page)
                .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new PageLayout(page.Number, lines.Length == 0 ? [] : [lines]);
        }
    }

    private static string LineText(TextLine line) => string.Join(' ', line.Words.Select(w => w.Text.Trim())).Trim();
}
