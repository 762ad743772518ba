using UglyToad.PdfPig;

namespace TeacherPlatform.Core.Projects;

public sealed record PdfFacts(int PageCount);

/// <summary>The bytes are not a PDF PdfPig can read (truncated, corrupt, encrypted…).</summary>
public sealed class CorruptPdfException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads the facts the server records about an uploaded PDF, from the file itself.</summary>
public static class PdfInspector
{
    public static ReadOnlySpan<byte> Magic => "%PDF-"u8;

    /// <param name="seekable">The whole file, seekable (a temp file: PdfPig reads it in place, not into memory).</param>
    /// <param name="options">PdfPig options (e.g. a decompression budget); parsing is strict whatever they say.</param>
    /// <param name="checkPageCount">Called with the page count before any page is read (a page limit throws here).</param>
    /// <param name="checkpoint">Called before each page is read (a time or cancellation check throws here).</param>
    /// <exception cref="CorruptPdfException">PdfPig cannot parse it, or a check threw.</exception>
    public static PdfFacts Inspect(Stream seekable, ParsingOptions? options = null, Action<int>? checkPageCount = null, Action? checkpoint = null)
    {
        try
        {
            // Strict parsing: lenient mode would "repair" a truncated file by scanning for objects and report fewer pages.
            options ??= new ParsingOptions();
            options.UseLenientParsing = false;
            options.SkipMissingFonts = true;
            using var document = PdfDocument.Open(seekable, options);
            var pages = document.NumberOfPages;
            if (pages < 1) throw new CorruptPdfException("The PDF has no pages.");
            checkPageCount?.Invoke(pages);
            // Load every page dictionary once: a broken page tree fails here rather than in a viewer later.
            for (var i = 1; i <= pages; i++)
            {
                checkpoint?.Invoke();
                _ = document.GetPage(i).Size;
            }
            return new PdfFacts(pages);
        }
        catch (CorruptPdfException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new CorruptPdfException($"The file could not be read as a PDF: {ex.Message}", ex);
        }
    }
}
