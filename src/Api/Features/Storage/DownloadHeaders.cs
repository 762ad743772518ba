using System.Text;
using Microsoft.Net.Http.Headers;

namespace TeacherPlatform.Api.Features.Storage;

/// <summary>
/// The content type and disposition of a storage download are decided by the server from the bytes, never replayed
/// from the uploader's Content-Type: an upload labelled text/html must not become a page on the API's origin.
/// </summary>
internal static class DownloadHeaders
{
    private const int SniffBytes = 1024;
    public const string Pdf = "application/pdf";
    public const string Text = "text/plain; charset=utf-8";
    public const string Binary = "application/octet-stream";
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Projects are always PDFs (confirm verified it); other objects get the sniffed type (PDF, plain text or binary).</summary>
    public static async Task<string> DecideContentTypeAsync(string key, Stream content, CancellationToken ct)
    {
        if (key.StartsWith("projects/", StringComparison.Ordinal))
        {
            return Pdf;
        }

        var buffer = new byte[SniffBytes];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await content.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0) break;
            read += n;
        }

        content.Seek(0, SeekOrigin.Begin);
        return Sniff(buffer.AsSpan(0, read));
    }

    public static string Sniff(ReadOnlySpan<byte> head)
    {
        // PDF readers accept the header anywhere in the first 1024 bytes.
        if (head.IndexOf("%PDF-"u8) >= 0)
        {
            return Pdf;
        }

        if (head.IndexOf((byte)0) >= 0)
        {
            return Binary;
        }

        // Valid UTF-8 (allowing a multi-byte character cut at the sniff boundary) is text; anything else is binary.
        for (var trim = 0; trim < 4 && trim <= head.Length; trim++)
        {
            try
            {
                StrictUtf8.GetCharCount(head[..^trim]);
                return Text;
            }
            catch (DecoderFallbackException)
            {
            }
        }

        return Binary;
    }

    /// <summary>Inline for PDFs (viewable in the browser's PDF viewer), attachment for everything else; always with a file name.</summary>
    public static string Disposition(string contentType, string? signedName, string key)
    {
        var name = string.IsNullOrWhiteSpace(signedName) ? key[(key.LastIndexOf('/') + 1)..] : signedName;
        var header = new ContentDispositionHeaderValue(contentType == Pdf ? "inline" : "attachment");
        header.SetHttpFileName(name);
        return header.ToString();
    }
}
