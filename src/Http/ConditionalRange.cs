using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TeacherPlatform.Http;

/// <summary>What a GET of a file asks for once its validators are known: all of it, one byte range, or nothing satisfiable.</summary>
public abstract record RangeOutcome
{
    public sealed record Full : RangeOutcome;
    public sealed record Partial(long From, long To) : RangeOutcome;
    public sealed record Unsatisfiable : RangeOutcome;

    /// <summary>The bytes to send for a file of <paramref name="size"/> bytes.</summary>
    public (long Offset, long Length) Window(long size) => this is Partial p ? (p.From, p.To - p.From + 1) : (0L, size);
}

/// <summary>
/// Conditional and range requests for one stored file with a strong ETag, the same at the API and at the edge:
/// If-Match / If-Unmodified-Since not met → 412, If-None-Match → 304 (weak comparison), one range → 206, unsatisfiable
/// → 416 with <c>Content-Range: bytes */size</c>, several or malformed ranges or a stale If-Range → the whole file
/// (RFC 9110 allows ignoring Range).
/// </summary>
public static class ConditionalRange
{
    /// <summary>
    /// RFC 9110 §13.2.2, first two steps: If-Match (strong comparison, <c>*</c> matches the existing file), or else
    /// If-Unmodified-Since against <paramref name="lastModified"/> (whole seconds, as HTTP dates carry).
    /// True when the precondition fails and the answer is 412.
    /// </summary>
    public static bool PreconditionFails(HttpRequest request, EntityTagHeaderValue etag, DateTimeOffset? lastModified)
    {
        var typed = request.GetTypedHeaders();
        if (typed.IfMatch is { Count: > 0 } ifMatch)
            return !ifMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: true));
        return typed.IfUnmodifiedSince is { } since && lastModified is { } modified
            && modified.AddTicks(-(modified.Ticks % TimeSpan.TicksPerSecond)) > since;
    }

    /// <summary>The 412 answer, with a problem+json body.</summary>
    public static Task WritePreconditionFailedAsync(HttpContext http) =>
        HttpProblems.WriteAsync(http, StatusCodes.Status412PreconditionFailed, "precondition_failed", "Precondition failed",
            "The file is not the version the request's If-Match or If-Unmodified-Since names.");

    public static bool IfNoneMatchHits(HttpRequest request, EntityTagHeaderValue etag)
    {
        var header = request.GetTypedHeaders().IfNoneMatch;
        // Weak comparison, as RFC 9110 requires for If-None-Match.
        return header is { Count: > 0 } && header.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));
    }

    public static RangeOutcome Select(HttpRequest request, EntityTagHeaderValue etag, long size)
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

    /// <summary>Status and Content-Range of a 200 or 206 answer.</summary>
    public static void SetStatus(HttpResponse response, RangeOutcome range, long size)
    {
        response.StatusCode = range is RangeOutcome.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        if (range is RangeOutcome.Partial part) response.Headers.ContentRange = $"bytes {part.From}-{part.To}/{size}";
    }

    /// <summary>The 416 answer: <c>Content-Range: bytes */size</c> and a problem+json body.</summary>
    public static Task WriteUnsatisfiableAsync(HttpContext http, long size)
    {
        http.Response.Headers.ContentRange = $"bytes */{size}";
        return HttpProblems.WriteAsync(http, StatusCodes.Status416RangeNotSatisfiable, "range_not_satisfiable", "Range not satisfiable",
            $"The file is {size} bytes long.");
    }
}
