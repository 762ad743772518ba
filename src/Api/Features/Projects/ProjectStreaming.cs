using System.Globalization;
using Microsoft.Net.Http.Headers;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Api.Infrastructure;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Api.Features.Projects;

/// <summary>
/// <c>GET /api/projects/{id}/stream</c>: the PDF through the API with one byte range at a time (206/416), a strong ETag from
/// the stored object (If-None-Match → 304, If-Range), and <c>Cache-Control: private</c>. Bytes are copied from storage's
/// (ranged) read stream to the response; the file is never held in memory.
/// </summary>
public static class ProjectStreaming
{
    public const string CacheControl = "private, max-age=300";
    private const int CopyBufferSize = 64 * 1024;

    public static async Task StreamAsync(Guid id, Caller caller, HttpContext http, ProjectService service, IObjectStorage storage)
    {
        var ct = http.RequestAborted;
        var (project, info) = await service.GetFileAsync(id, caller, ct);

        var request = http.Request;
        var response = http.Response;
        var etag = EntityTagHeaderValue.Parse(info.ETag);
        response.Headers.ETag = info.ETag;
        response.Headers.CacheControl = CacheControl;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.LastModified = info.LastModified.ToString("R", CultureInfo.InvariantCulture);

        if (IfNoneMatchHits(request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var size = info.Size;
        var range = RangeFor(request, etag, size);
        if (range is RangeOutcome.Unsatisfiable)
        {
            response.Headers.ContentRange = $"bytes */{size}";
            await ProblemHandling.WriteAsync(http, StatusCodes.Status416RangeNotSatisfiable, "range_not_satisfiable", "Range not satisfiable",
                $"The file is {size} bytes long.");
            return;
        }

        var (offset, length) = range is RangeOutcome.Partial p ? (p.From, p.To - p.From + 1) : (0L, size);
        response.StatusCode = range is RangeOutcome.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        if (range is RangeOutcome.Partial part) response.Headers.ContentRange = $"bytes {part.From}-{part.To}/{size}";
        response.ContentType = ProjectService.PdfContentType;
        response.ContentLength = length;
        var disposition = new ContentDispositionHeaderValue("inline");
        disposition.SetHttpFileName(project.Filename);
        response.Headers.ContentDisposition = disposition.ToString();
        if (HttpMethods.IsHead(request.Method) || length == 0) return;

        await using var content = await storage.OpenReadAsync(project.StorageKey, offset, length, ct);
        await content.CopyToAsync(response.Body, CopyBufferSize, ct);
    }

    private static bool IfNoneMatchHits(HttpRequest request, EntityTagHeaderValue etag)
    {
        var header = request.GetTypedHeaders().IfNoneMatch;
        // Weak comparison, as RFC 9110 requires for If-None-Match.
        return header is { Count: > 0 } && header.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));
    }

    private abstract record RangeOutcome
    {
        public sealed record Full : RangeOutcome;
        public sealed record Partial(long From, long To) : RangeOutcome;
        public sealed record Unsatisfiable : RangeOutcome;
    }

    /// <summary>One range is honoured; none, several, malformed ones or a stale If-Range get the whole file (RFC 9110 allows ignoring Range).</summary>
    private static RangeOutcome RangeFor(HttpRequest request, EntityTagHeaderValue etag, long size)
    {
        var typed = request.GetTypedHeaders();
        var header = typed.Range;
        if (header is null || !string.Equals(header.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || header.Ranges.Count != 1)
            return new RangeOutcome.Full();
        if (typed.IfRange is { } ifRange && (ifRange.EntityTag is null || !ifRange.EntityTag.Compare(etag, useStrongComparison: true)))
            return new RangeOutcome.Full();

        var r = header.Ranges.Single();
        if (r.From is { } from)
        {
            if (from >= size) return new RangeOutcome.Unsatisfiable();
            var to = r.To is { } t ? Math.Min(t, size - 1) : size - 1;
            return to < from ? new RangeOutcome.Full() : new RangeOutcome.Partial(from, to);
        }

        // Suffix range: the last N bytes.
        if (r.To is not { } suffix || suffix <= 0 || size == 0) return new RangeOutcome.Unsatisfiable();
        return new RangeOutcome.Partial(Math.Max(0, size - suffix), size - 1);
    }
}
