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
        if (LooksUndecodable(raw))
            throw new ExtractionException(ExtractionErrorCodes.UnsupportedMediaType,
                "The file is not readable text: most of it decodes to invalid or control characters. Upload it as UTF-8 or UTF-16 text.");
        var isMarkdown = MarkdownFormats.Contains(ctx.Extension) || MarkdownFormats.Contains(ctx.MediaType);
        var text = TidyWhitespace(isMarkdown ? MarkdownStripper.Strip(raw) : raw);
        return new ExtractedDocument([new ExtractedSection(1, text)], isMarkdown ? MarkdownStripper.FirstHeading(raw) : null);
    }

    /// <summary>
    /// Binary bytes labelled as text (a byte-order mark followed by noise) decode into replacement characters (U+FFFD),
    /// control characters and unassigned or private-use code points; text in any language has almost none.
    /// </summary>
    internal static bool LooksUndecodable(string text)
    {
        int visible = 0, junk = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (System.Text.Rune.IsWhiteSpace(rune)) continue;
            visible++;
            if (rune.Value == 0xFFFD || System.Text.Rune.IsControl(rune)
                || System.Text.Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.OtherNotAssigned
                    or System.Globalization.UnicodeCategory.PrivateUse or System.Globalization.UnicodeCategory.Surrogate)
                junk++;
        }
        return visible >= 16 && junk > visible / 10;
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
