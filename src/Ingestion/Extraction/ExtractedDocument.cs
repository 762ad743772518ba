namespace TeacherPlatform.Ingestion.Extraction;

/// <summary>One page of a PDF, one block of a web page, or one timed segment of a transcript.</summary>
/// <param name="PageNumber">1-based page (PDF), 1 for web/text, or the 1-based segment number for transcripts.</param>
/// <param name="Text">Clean text of the section.</param>
/// <param name="StartSeconds">Start time for transcript segments; null otherwise.</param>
public sealed record ExtractedSection(int PageNumber, string Text, double? StartSeconds = null);

/// <param name="Title">The title the file itself declares (PDF metadata, HTML &lt;title&gt;, first Markdown heading).</param>
/// <param name="Author">The author the file declares (PDF metadata, HTML &lt;meta name="author"&gt;).</param>
public sealed record ExtractedDocument(IReadOnlyList<ExtractedSection> Sections, string? Title = null, string? Author = null)
{
    /// <summary>Longest title or author kept from a file's metadata: the author is indexed with every chunk.</summary>
    public const int MaxMetadataLength = 200;

    public bool HasText => Sections.Any(s => !string.IsNullOrWhiteSpace(s.Text));

    /// <summary>
    /// A title or author as the file declares it, whitespace collapsed and cut at a word before
    /// <see cref="MaxMetadataLength"/> characters (a hostile file could declare megabytes); null when blank.
    /// </summary>
    public static string? Metadata(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var clean = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (clean.Length <= MaxMetadataLength) return clean;
        var cut = clean.LastIndexOf(' ', MaxMetadataLength);
        return clean[..(cut > 0 ? cut : MaxMetadataLength)];
    }
}
