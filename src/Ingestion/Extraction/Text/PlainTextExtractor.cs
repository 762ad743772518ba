using System.Text.RegularExpressions;

namespace TeacherPlatform.Ingestion.Extraction.Text;

/// <summary>Plain text and Markdown uploads: one section on page 1; Markdown syntax is stripped lightly.</summary>
public sealed partial class PlainTextExtractor : IContentExtractor
{
    private static readonly HashSet<string> MarkdownFormats = new(StringComparer.OrdinalIgnoreCase)
        { ".md", ".markdown", ".mdown", "text/markdown", "text/x-markdown" };

    private static readonly HashSet<string> PlainFormats = new(StringComparer.OrdinalIgnoreCase)
        { ".txt", ".text", "text/plain" };

    public bool CanExtract(string sourceType, string contentTypeOrExtension) =>
        MarkdownFormats.Contains(contentTypeOrExtension)
        || PlainFormats.Contains(contentTypeOrExtension)
        || (contentTypeOrExtension.Length == 0 && sourceType == SourceTypes.Text);

    public async Task<ExtractedDocument> ExtractAsync(Stream content, ExtractionContext ctx, CancellationToken ct)
    {
        var raw = await TextDecoding.ReadAllTextAsync(content, ct).ConfigureAwait(false);
        (ctx.Budget ?? ExtractionBudget.Unlimited()).ChargeText(raw.Length);
        var isMarkdown = MarkdownFormats.Contains(ctx.Extension) || MarkdownFormats.Contains(ctx.MediaType);
        var text = TidyWhitespace(isMarkdown ? MarkdownStripper.Strip(raw) : raw);
        return new ExtractedDocument([new ExtractedSection(1, text)], isMarkdown ? MarkdownStripper.FirstHeading(raw) : null);
    }

    /// <summary>Trailing spaces and runs of blank lines carry no meaning and would only inflate chunks.</summary>
    internal static string TidyWhitespace(string text)
    {
        var trimmedLines = TrailingSpace().Replace(text, "");
        return BlankRuns().Replace(trimmedLines, "\n\n").Trim();
    }

    [GeneratedRegex(@"[ \t\u00A0]+$", RegexOptions.Multiline)]
    private static partial Regex TrailingSpace();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankRuns();
}
