using TeacherPlatform.Ingestion.Extraction.Html;
using TeacherPlatform.Ingestion.Extraction.Pdf;
using TeacherPlatform.Ingestion.Extraction.Text;
using TeacherPlatform.Ingestion.Extraction.Transcripts;

namespace TeacherPlatform.Ingestion.Extraction;

public sealed record ExtractionOptions
{
    /// <summary>Largest document accepted for extraction; bigger ones fail with <c>too_large</c>.</summary>
    public long MaxBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>Per-document budget enforced while extracting.</summary>
    public ExtractionLimits Limits { get; init; } = new();

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// Entry point of the extract step: buffers the content (bounded), sniffs it, picks an extractor by source type,
/// extension and media type, and guarantees the result has text.
/// </summary>
public sealed class ExtractorRegistry
{
    private readonly IReadOnlyList<IContentExtractor> _extractors;
    private readonly ExtractionOptions _options;

    public ExtractorRegistry(IEnumerable<IContentExtractor> extractors, ExtractionOptions? options = null)
    {
        _extractors = extractors.ToList();
        _options = options ?? new ExtractionOptions();
    }

    public static ExtractorRegistry CreateDefault(ExtractionOptions? options = null, TranscriptSegmentOptions? transcriptOptions = null) =>
        new([new PdfTextExtractor(), new HtmlTextExtractor(), new TranscriptExtractor(transcriptOptions), new PlainTextExtractor()], options);

    public async Task<ExtractedDocument> ExtractAsync(Stream content, ExtractionContext ctx, CancellationToken ct)
    {
        var bytes = await ReadBoundedAsync(content, _options.MaxBytes, ct).ConfigureAwait(false);
        var extractor = Select(ctx, bytes.AsSpan(0, Math.Min(bytes.Length, ContentSniffer.HeadLength)));

        var limits = _options.Limits;
        using var deadline = limits.MaxExtractionTime > TimeSpan.Zero
            ? new CancellationTokenSource(limits.MaxExtractionTime, _options.Clock)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var budget = new ExtractionBudget(limits, linked.Token);
        ExtractedDocument document;
        try
        {
            document = await extractor.ExtractAsync(new MemoryStream(bytes, writable: false), ctx with { Budget = budget }, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw ExtractionBudget.TimeExceeded(limits);
        }
        catch (Exception ex) when (ex is OutOfMemoryException or InsufficientExecutionStackException)
        {
            throw ExtractionBudget.Exceeded("The document needs more memory or nesting than allowed.");
        }
        catch (Exception ex) when (ex is not (ExtractionException or OperationCanceledException))
        {
            budget.ThrowIfExceeded(); // a parser wrapped our budget exception in its own
            // Parsers are deterministic on the same bytes, so a retry cannot help; the raw message is for the log only.
            throw new ExtractionException(ExtractionErrorCodes.CorruptFile, "The file is damaged or in an unsupported variant of its format.", ex);
        }

        if (!document.HasText)
            throw new ExtractionException(ExtractionErrorCodes.NoExtractableText, "The document contains no extractable text.");
        // Extractors charge text as they produce it; this is the net for any that cannot.
        if (document.Sections.Sum(s => (long)s.Text.Length) > limits.MaxExtractedChars)
            throw ExtractionBudget.Exceeded($"The document has more than {limits.MaxExtractedChars:N0} characters of text.");
        return document;
    }

    /// <summary>Chooses the extractor for the content; throws <c>unsupported_media_type</c> when none fits.</summary>
    public IContentExtractor Select(ExtractionContext ctx, ReadOnlySpan<byte> head)
    {
        var sourceType = ctx.NormalizedSourceType;
        if (sourceType is not (SourceTypes.Pdf or SourceTypes.Web or SourceTypes.Video or SourceTypes.Text))
            throw Unsupported($"Unknown source type '{ctx.SourceType}'.");

        switch (ContentSniffer.Sniff(head))
        {
            case SniffedKind.OtherBinary:
                throw Unsupported("The file is a binary format that cannot be indexed (images, audio, video and archives are not supported).");
            case SniffedKind.Pdf:
                // The bytes are the truth: a PDF uploaded as "text" is still read as a PDF; web pages and transcripts never are PDFs.
                if (sourceType is SourceTypes.Web or SourceTypes.Video)
                    throw Unsupported($"A PDF cannot be a '{sourceType}' source; use source type 'pdf'.");
                return Find(SourceTypes.Pdf, ".pdf") ?? throw Unsupported("No PDF extractor is registered.");
            default:
                if (sourceType == SourceTypes.Pdf || ctx.Extension == ".pdf" || ctx.MediaType == "application/pdf")
                    throw Unsupported("The file is not a PDF (it does not start with %PDF-).");
                return Find(sourceType, ctx.Extension) ?? Find(sourceType, ctx.MediaType) ?? Find(sourceType, "")
                    ?? throw Unsupported($"No extractor for a '{sourceType}' source named '{ctx.FileName}' of type '{ctx.ContentType}'.");
        }
    }

    private IContentExtractor? Find(string sourceType, string format) =>
        format.Length == 0 && sourceType.Length == 0 ? null : _extractors.FirstOrDefault(e => e.CanExtract(sourceType, format));

    private static ExtractionException Unsupported(string message) => new(ExtractionErrorCodes.UnsupportedMediaType, message);

    private static async Task<byte[]> ReadBoundedAsync(Stream content, long maxBytes, CancellationToken ct)
    {
        if (content.CanSeek && content.Length - content.Position > maxBytes) throw TooLarge(maxBytes);

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ExtractionException TooLarge(long maxBytes) =>
        new(ExtractionErrorCodes.TooLarge, $"The document exceeds the {maxBytes / (1024 * 1024.0):0.#} MB extraction limit.");
}
