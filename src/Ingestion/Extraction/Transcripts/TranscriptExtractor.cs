using System.Text;
using TeacherPlatform.Ingestion.Extraction.Text;

namespace TeacherPlatform.Ingestion.Extraction.Transcripts;

/// <summary>
/// Lesson-video transcripts (WebVTT, SRT): cues merged into segments so a citation can point at a moment in the video;
/// each segment is a section whose PageNumber is the 1-based segment number and StartSeconds its first cue's start.
/// </summary>
public sealed class TranscriptExtractor(TranscriptSegmentOptions? options = null) : IContentExtractor
{
    private static readonly HashSet<string> Formats = new(StringComparer.OrdinalIgnoreCase)
        { ".vtt", ".srt", "text/vtt", "application/x-subrip", "text/srt", "application/srt" };

    private readonly TranscriptSegmentOptions _options = options ?? new TranscriptSegmentOptions();

    public bool CanExtract(string sourceType, string contentTypeOrExtension) =>
        Formats.Contains(contentTypeOrExtension) || (contentTypeOrExtension.Length == 0 && sourceType == SourceTypes.Video);

    public async Task<ExtractedDocument> ExtractAsync(Stream content, ExtractionContext ctx, CancellationToken ct)
    {
        var text = await TextDecoding.ReadAllTextAsync(content, ct).ConfigureAwait(false);
        var budget = ctx.Budget ?? ExtractionBudget.Unlimited();
        budget.ChargeText(text.Length);
        var cues = TranscriptParser.Parse(text, ctx.Budget?.Limits.MaxTranscriptTimestamp);
        if (cues.Count == 0)
            throw new ExtractionException(ExtractionErrorCodes.CorruptFile, "The transcript has no valid WebVTT/SRT cues.");

        var sections = Segment(cues);
        if (sections.Count == 0)
            throw new ExtractionException(ExtractionErrorCodes.NoExtractableText, "The transcript's cues contain no text.");
        return new ExtractedDocument(sections);
    }

    public IReadOnlyList<ExtractedSection> Segment(IReadOnlyList<TranscriptCue> cues)
    {
        var sections = new List<ExtractedSection>();
        var buffer = new StringBuilder();
        double segmentStart = 0;

        foreach (var cue in cues.Where(c => c.Text.Length > 0))
        {
            var full = buffer.Length > 0 && (cue.StartSeconds - segmentStart >= _options.MaxSegmentSeconds
                                             || buffer.Length + 1 + cue.Text.Length > _options.MaxSegmentChars);
            if (full) Flush();
            if (buffer.Length == 0) segmentStart = cue.StartSeconds;
            else buffer.Append(' ');
            buffer.Append(cue.Text);
        }

        Flush();
        return sections;

        void Flush()
        {
            if (buffer.Length == 0) return;
            sections.Add(new ExtractedSection(sections.Count + 1, buffer.ToString(), segmentStart));
            buffer.Clear();
        }
    }
}
