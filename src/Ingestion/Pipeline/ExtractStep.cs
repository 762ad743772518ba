using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Fetching;

namespace TeacherPlatform.Ingestion.Pipeline;

/// <summary>Fetches the object (upload or web page) and extracts text with page numbers or timestamps.</summary>
public sealed class ExtractStep(IObjectStorage storage, ExtractorRegistry extractors, IHttpClientFactory http, IOptions<IngestionOptions> options) : IPipelineStep
{
    public const string StepName = "extract";
    public string Name => StepName;

    public async Task ExecuteAsync(IngestionContext context, CancellationToken ct)
    {
        var doc = context.Document;
        await context.Progress.ReportAsync(Name, 0, 1, ct);
        ExtractedDocument extracted;
        if (doc.StorageKey is not null)
        {
            var info = await storage.HeadAsync(doc.StorageKey, ct)
                ?? throw new ExtractionException("upload_missing", "No file was uploaded for this document; PUT the bytes to upload_url first.");
            if (info.Size > options.Value.MaxFileBytes)
                throw new ExtractionException(ExtractionErrorCodes.TooLarge, $"The file is {info.Size} bytes; the limit is {options.Value.MaxFileBytes}.");
            await using var stream = await storage.OpenReadAsync(doc.StorageKey, cancellationToken: ct);
            extracted = await extractors.ExtractAsync(stream, new ExtractionContext(doc.SourceType, doc.Filename, info.ContentType), ct);
        }
        else if (doc.SourceUrl is not null)
        {
            // The factory's pooled handler (with the address check) is shared by every fetch.
            using var fetcher = new SafeHttpFetcher(http.CreateClient(SafeHttpFetcher.HttpClientName), options.Value.FetchOptions);
            var fetched = await fetcher.FetchAsync(new Uri(doc.SourceUrl), ct);
            using var stream = new MemoryStream(fetched.Content, writable: false);
            extracted = await extractors.ExtractAsync(stream, new ExtractionContext(doc.SourceType, ContentType: fetched.ContentType, SourceUrl: fetched.FinalUrl), ct);
        }
        else
        {
            throw new ExtractionException("upload_missing", "The document has neither an uploaded file nor a source_url.");
        }
        context.Extracted = extracted;
        context.PageCount = extracted.Sections.Count == 0 ? 0 : extracted.Sections.Max(s => s.PageNumber);
        await context.Progress.ReportAsync(Name, 1, 1, ct);
    }
}
