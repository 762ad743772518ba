using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Exceptions;

namespace TeacherPlatform.Ingestion.Extraction.Pdf;

/// <summary>
/// PDFs via PdfPig: one section per page with text, in reading order, paragraphs separated by blank lines,
/// line-end hyphenation undone and running headers/footers removed.
/// </summary>
public sealed class PdfTextExtractor : IContentExtractor
{
    private static readonly byte[] EndOfFileMarker = "%%EOF"u8.ToArray();

    /// <summary>Writers may append a little junk after %%EOF; a truncated upload has none at all.</summary>
    private const int EofSearchWindow = 2048;

    public bool CanExtract(string sourceType, string contentTypeOrExtension) =>
        contentTypeOrExtension is ".pdf" or "application/pdf" or "application/x-pdf"
        || (contentTypeOrExtension.Length == 0 && sourceType == SourceTypes.Pdf);

    public async Task<ExtractedDocument> ExtractAsync(Stream content, ExtractionContext ctx, CancellationToken ct)
    {
        var bytes = await ReadAllBytesAsync(content, ct).ConfigureAwait(false);
        if (!bytes.AsSpan().StartsWith("%PDF-"u8))
            throw new ExtractionException(ExtractionErrorCodes.UnsupportedMediaType, "The file is not a PDF.");
        if (!HasEndOfFile(bytes))
            throw new ExtractionException(ExtractionErrorCodes.CorruptFile, "The PDF is truncated (no %%EOF marker).");

        // Layout analysis is CPU-bound; keep it off the caller's (possibly request) thread.
        var budget = ctx.Budget ?? ExtractionBudget.Unlimited();
        return await Task.Run(() => Extract(bytes, budget, ct), ct).ConfigureAwait(false);
    }

    private static ExtractedDocument Extract(byte[] bytes, ExtractionBudget budget, CancellationToken ct)
    {
        try
        {
            using var document = PdfDocument.Open(bytes, PdfParsing.Budgeted(budget));
            budget.CheckPages(document.NumberOfPages);
            var pages = new List<PageLayout>(document.NumberOfPages);
            for (var number = 1; number <= document.NumberOfPages; number++)
            {
                ct.ThrowIfCancellationRequested();
                budget.Checkpoint();
                var page = PdfPageReader.Read(document.GetPage(number));
                budget.Checkpoint();
                budget.ChargeText(page.Blocks.Sum(b => b.Sum(l => (long)l.Length + 1)));
                pages.Add(page);
            }

            var sections = HeaderFooterFilter.Apply(pages)
                .Select(p => new ExtractedSection(p.PageNumber, string.Join("\n\n", p.Blocks.Select(LineJoiner.Join))))
                .Where(s => s.Text.Length > 0)
                .ToList();
            if (sections.Count == 0)
                throw new ExtractionException(ExtractionErrorCodes.NoExtractableText,
                    "The PDF contains no extractable text (it may be scanned images; OCR is not supported).");

            return new ExtractedDocument(sections, ExtractedDocument.Metadata(document.Information.Title), ExtractedDocument.Metadata(document.Information.Author));
        }
        catch (PdfDocumentStackDepthException ex)
        {
            throw new ExtractionException(ExtractionErrorCodes.ResourceLimitsExceeded,
                $"The PDF nests objects deeper than {budget.Limits.MaxNestingDepth} levels.", ex);
        }
        catch (PdfDocumentEncryptedException ex)
        {
            throw new ExtractionException(ExtractionErrorCodes.PasswordProtected, "The PDF is password protected.", ex);
        }
        catch (Exception ex) when (ex is PdfDocumentFormatException or InvalidOperationException or ArgumentException
                                       or IndexOutOfRangeException or NullReferenceException or InvalidCastException
                                       or EndOfStreamException or KeyNotFoundException or FormatException
                                       or DecoderFallbackException)
        {
            budget.ThrowIfExceeded(); // PdfPig may wrap the budget's exception thrown from inside a filter
            throw new ExtractionException(ExtractionErrorCodes.CorruptFile, "The PDF is damaged and cannot be read.", ex);
        }
    }

    private static bool HasEndOfFile(byte[] bytes)
    {
        var window = bytes.AsSpan(Math.Max(0, bytes.Length - EofSearchWindow));
        return window.IndexOf(EndOfFileMarker) >= 0;
    }

    private static async Task<byte[]> ReadAllBytesAsync(Stream content, CancellationToken ct)
    {
        if (content is MemoryStream { Position: 0 } ms) return ms.ToArray();
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
