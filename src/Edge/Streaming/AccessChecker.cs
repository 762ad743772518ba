using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using TeacherPlatform.Edge.Proxy;

namespace TeacherPlatform.Edge.Streaming;

/// <summary>What the edge needs to serve a project's file exactly as the API would.</summary>
public sealed record ProjectObject(Guid ProjectId, string ETag, long Size, string? LastModified, string? ContentDisposition, string? CacheControl);

public abstract record AccessOutcome
{
    public sealed record Allowed(ProjectObject Object) : AccessOutcome;
    /// <summary>The API's own refusal (401/404/409/…), relayed with its status.</summary>
    public sealed record Denied(int Status, string? WwwAuthenticate, string? RetryAfter) : AccessOutcome;
}

/// <summary>
/// Asks the API once per (user, project) whether the user may read the file, with a HEAD of the API's stream and the
/// user's own token: the API applies every rule (grants, revocations, readiness), reads no bytes, and the answer carries
/// the ETag, size and headers. Allowed answers are reused for <see cref="EdgeOptions.AccessCacheDuration"/>; refusals
/// are never cached. Concurrent checks for the same pair share one request.
/// </summary>
public sealed class AccessChecker(UpstreamClient upstream, TimeProvider clock, IOptions<EdgeOptions> options)
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<(string User, Guid Project), (ProjectObject Object, DateTimeOffset Until)> _allowed = new();
    private readonly SingleFlight<(string, Guid), AccessOutcome> _flights = new();

    public async Task<AccessOutcome> CheckAsync(string user, Guid project, string authorization, string? clientIp, CancellationToken ct)
    {
        var key = (user, project);
        var now = clock.GetUtcNow();
        if (_allowed.TryGetValue(key, out var cached) && now < cached.Until) return new AccessOutcome.Allowed(cached.Object);
        return await _flights.RunAsync(key, async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var outcome = await AskAsync(project, authorization, clientIp, timeout.Token);
            if (outcome is AccessOutcome.Allowed allowed)
            {
                if (_allowed.Count >= MaxEntries) Sweep();
                _allowed[key] = (allowed.Object, clock.GetUtcNow() + options.Value.AccessCacheDuration);
            }
            else _allowed.TryRemove(key, out _);
            return outcome;
        }, ct);
    }

    private void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (k, v) in _allowed) if (v.Until <= now) _allowed.TryRemove(k, out _);
        if (_allowed.Count >= MaxEntries) _allowed.Clear();
    }

    private async Task<AccessOutcome> AskAsync(Guid project, string authorization, string? clientIp, CancellationToken ct)
    {
        using var response = await upstream.SendAsync(baseUrl =>
        {
            var request = new HttpRequestMessage(HttpMethod.Head, $"{baseUrl}/api/projects/{project:D}/stream");
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            if (clientIp is not null) request.Headers.TryAddWithoutValidation("X-Forwarded-For", clientIp);
            return request;
        }, ct);

        var status = (int)response.StatusCode;
        var etag = response.Headers.TryGetValues("ETag", out var e) ? e.FirstOrDefault() : null;
        if (response.StatusCode == HttpStatusCode.OK && etag is not null && response.Content.Headers.ContentLength is { } size)
        {
            return new AccessOutcome.Allowed(new ProjectObject(project, etag, size,
                Header(response.Content.Headers, "Last-Modified"), Header(response.Content.Headers, "Content-Disposition"),
                Header(response.Headers, "Cache-Control")));
        }
        // A HEAD answer has no body: the refusal is re-stated as problem+json with the API's status.
        return new AccessOutcome.Denied(status is >= 400 and < 600 ? status : 502,
            Header(response.Headers, "WWW-Authenticate"), Header(response.Headers, "Retry-After"));
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
