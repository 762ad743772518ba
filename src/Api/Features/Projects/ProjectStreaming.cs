using System.Globalization;
using Microsoft.Net.Http.Headers;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Http;

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

        if (ConditionalRange.PreconditionFails(request, etag, info.LastModified))
        {
            await ConditionalRange.WritePreconditionFailedAsync(http);
            return;
        }
        if (ConditionalRange.IfNoneMatchHits(request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var size = info.Size;
        var range = ConditionalRange.Select(request, etag, size);
        if (range is RangeOutcome.Unsatisfiable)
        {
            await ConditionalRange.WriteUnsatisfiableAsync(http, size);
            return;
        }

        var (offset, length) = range.Window(size);
        ConditionalRange.SetStatus(response, range, size);
        response.ContentType = ProjectService.PdfContentType;
        response.ContentLength = length;
        var disposition = new ContentDispositionHeaderValue("inline");
        disposition.SetHttpFileName(project.Filename);
        response.Headers.ContentDisposition = disposition.ToString();
        if (HttpMethods.IsHead(request.Method) || length == 0) return;

        await using var content = await storage.OpenReadAsync(project.StorageKey, offset, length, ct);
        await content.CopyToAsync(response.Body, CopyBufferSize, ct);
    }
}
