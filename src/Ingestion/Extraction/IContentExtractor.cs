namespace TeacherPlatform.Ingestion.Extraction;

/// <summary>Turns one kind of document into page-numbered text.</summary>
public interface IContentExtractor
{
    /// <summary>
    /// Whether this extractor handles the format. <paramref name="contentTypeOrExtension"/> is an extension with dot
    /// (".vtt"), a media type ("text/vtt"), or empty when nothing is known, in which case an extractor answers true only
    /// if it is the default for <paramref name="sourceType"/>.
    /// </summary>
    bool CanExtract(string sourceType, string contentTypeOrExtension);

    Task<ExtractedDocument> ExtractAsync(Stream content, ExtractionContext ctx, CancellationToken ct);
}
