using System.Buffers;
using Amazon.S3;
using Microsoft.Net.Http.Headers;
using TeacherPlatform.Edge.Infrastructure;
using TeacherPlatform.Edge.Proxy;
using TeacherPlatform.Http;
using Yarp.ReverseProxy.Forwarder;

namespace TeacherPlatform.Edge.Streaming;

/// <summary>
/// <c>GET|HEAD /api/projects/{id}/stream</c> at the edge: token checked here, access asked of the API (cached briefly),
/// bytes served from the edge cache. Conditional and range handling is the API's own (<see cref="ConditionalRange"/>).
/// </summary>
public static class ProjectStreamEndpoint
{
    private const string PdfContentType = "application/pdf";
    private const int CopyBufferSize = 64 * 1024;

    public static IEndpointConventionBuilder MapEdgeProjectStream(this WebApplication app) =>
        app.MapMethods("/api/projects/{id}/stream", [HttpMethods.Get, HttpMethods.Head], StreamAsync);

    private static async Task StreamAsync(string id, HttpContext http, EdgeTokenValidator tokens, AccessChecker access, EdgeCache cache,
        IProjectOrigin origin, PassThrough passThrough, EdgeMetrics metrics, ILoggerFactory loggers)
    {
        metrics.Request("stream");
        var ct = http.RequestAborted;
        // The API's {id:guid} constraint: anything that is not a GUID is simply not a project.
        if (!Guid.TryParse(id, out var projectId))
        {
            await HttpProblems.WriteAsync(http, 404, "not_found", "Not found", "No project has this id.");
            return;
        }

        var authorization = http.Request.Headers.Authorization.ToString();
        var token = await tokens.ValidateAsync(authorization, ct);
        if (!token.IsValid)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await HttpProblems.WriteAsync(http, 401, token.ErrorCode!, "Unauthorized", token.ErrorDetail);
            return;
        }

        AccessOutcome outcome;
        try
        {
            outcome = await access.CheckAsync(token.Subject!, projectId, authorization, http.Connection.RemoteIpAddress?.ToString(), ct);
        }
        catch (UpstreamUnavailableException)
        {
            await HttpProblems.WriteAsync(http, 503, "upstream_unavailable", "Service unavailable", "No API instance is reachable; retry shortly.");
            return;
        }
        if (outcome is AccessOutcome.Denied denied)
        {
            await RelayAsync(http, denied);
            return;
        }
        var obj = ((AccessOutcome.Allowed)outcome).Object;

        var request = http.Request;
        var response = http.Response;
        var etag = EntityTagHeaderValue.Parse(obj.ETag);
        var lastModified = DateTimeOffset.TryParse(obj.LastModified, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : (DateTimeOffset?)null;
        if (ConditionalRange.PreconditionFails(request, etag, lastModified))
        {
            SetValidators(response, obj);
            await ConditionalRange.WritePreconditionFailedAsync(http);
            return;
        }
        if (ConditionalRange.IfNoneMatchHits(request, etag))
        {
            SetValidators(response, obj);
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var size = obj.Size;
        var range = ConditionalRange.Select(request, etag, size);
        if (range is RangeOutcome.Unsatisfiable)
        {
            SetValidators(response, obj);
            await ConditionalRange.WriteUnsatisfiableAsync(http, size);
            return;
        }
        var (offset, length) = range.Window(size);

        if (HttpMethods.IsHead(request.Method) || length == 0)
        {
            SetContentHeaders(response, obj, range, length);
            return;
        }

        var key = EdgeCache.KeyFor(projectId, obj.ETag);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            CachedFile? file;
            var hit = cache.TryGet(key, out _);
            try
            {
                file = await cache.GetOrFillAsync(key, size, (destination, fillCt) => origin.FetchAsync(obj, authorization, destination, fillCt), ct);
            }
            catch (Exception ex) when (ex is OriginException or UpstreamUnavailableException or HttpRequestException or AmazonS3Exception or IOException
                                       && !ct.IsCancellationRequested)
            {
                loggers.CreateLogger(typeof(ProjectStreamEndpoint)).LogWarning(ex, "Cache fill of project {ProjectId} failed", projectId);
                await HttpProblems.WriteAsync(http, 502, "upstream_unavailable", "Bad gateway", "The file could not be fetched from its origin.");
                return;
            }
            if (file is null)
            {
                // Bigger than the cache (or the cache is busy filling): let the API answer this one directly.
                await passThrough.ForwardAsync(http);
                return;
            }

            FileStream stream;
            try
            {
                stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1,
                    FileOptions.Asynchronous | FileOptions.SequentialScan);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                cache.Forget(key); // evicted or deleted between lookup and open: fill again
                continue;
            }

            await using (stream)
            {
                SetContentHeaders(response, obj, range, length);
                response.Headers["X-Edge-Cache"] = hit ? "hit" : "miss";
                stream.Seek(offset, SeekOrigin.Begin);
                await CopyAsync(stream, response.Body, length, ct);
                metrics.ServedFromCache(length);
            }
            return;
        }
        await passThrough.ForwardAsync(http);
    }

    private static void SetValidators(HttpResponse response, ProjectObject obj)
    {
        response.Headers.ETag = obj.ETag;
        response.Headers.CacheControl = obj.CacheControl ?? "private, max-age=300";
        response.Headers.AcceptRanges = "bytes";
        if (obj.LastModified is not null) response.Headers.LastModified = obj.LastModified;
    }

    private static void SetContentHeaders(HttpResponse response, ProjectObject obj, RangeOutcome range, long length)
    {
        SetValidators(response, obj);
        ConditionalRange.SetStatus(response, range, obj.Size);
        response.ContentType = PdfContentType;
        response.ContentLength = length;
        if (obj.ContentDisposition is not null) response.Headers.ContentDisposition = obj.ContentDisposition;
    }

    private static async Task CopyAsync(Stream source, Stream destination, long length, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            while (length > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length)), ct);
                if (read == 0) throw new IOException("The cached file is shorter than expected.");
                await destination.WriteAsync(buffer.AsMemory(0, read), ct);
                length -= read;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    private static async Task RelayAsync(HttpContext http, AccessOutcome.Denied denied)
    {
        if (denied.WwwAuthenticate is not null) http.Response.Headers.WWWAuthenticate = denied.WwwAuthenticate;
        if (denied.RetryAfter is not null) http.Response.Headers.RetryAfter = denied.RetryAfter;
        var (title, detail) = denied.Status switch
        {
            401 => ("Unauthorized", "The access token was not accepted."),
            404 => ("Not found", "Project not found."),
            409 => ("Conflict", "The project's file has not been confirmed yet."),
            429 => ("Too many requests", "Rate limit exceeded; retry after the number of seconds in Retry-After."),
            _ => ("Request refused", null),
        };
        await HttpProblems.WriteAsync(http, denied.Status, HttpProblems.CodeFor(denied.Status), title, detail);
    }
}

/// <summary>Forwards one request to an API instance unchanged (used when a file cannot be cached).</summary>
public sealed class PassThrough(IHttpForwarder forwarder, UpstreamClient upstream) : IDisposable
{
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler
    {
        UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.None, UseCookies = false,
        ActivityHeadersPropagator = new Yarp.ReverseProxy.Forwarder.ReverseProxyPropagator(System.Diagnostics.DistributedContextPropagator.Current),
    });

    public async Task ForwardAsync(HttpContext http)
    {
        var target = upstream.Candidates().FirstOrDefault() ?? EdgeOptions.DefaultUpstream;
        var error = await forwarder.SendAsync(http, target, _http, ForwarderRequestConfig.Empty, HttpTransformer.Default);
        if (error != ForwarderError.None && !http.Response.HasStarted)
            await HttpProblems.WriteAsync(http, 502, "upstream_unavailable", "Bad gateway", "The API could not be reached.");
    }

    public void Dispose() => _http.Dispose();
}
