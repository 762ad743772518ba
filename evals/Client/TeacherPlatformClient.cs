using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TeacherPlatform.Evals.Client;

/// <summary>
/// A thin client of the TeacherPlatform API. It takes an <see cref="HttpClient"/> so tests can hand it the
/// WebApplicationFactory's in-memory handler. Holds one bearer token (one user per client).
/// </summary>
public sealed class TeacherPlatformClient(HttpClient http)
{
    public HttpClient Http { get; } = http;
    public string? AccessToken { get; private set; }
    public UserDto? User { get; private set; }

    public TeacherPlatformClient WithToken(string token, UserDto? user = null)
    {
        AccessToken = token;
        User = user;
        return this;
    }

    /// <summary>Registers, or logs in when the email is taken (409/400/422) — idempotent across runs.</summary>
    public async Task<TokenResponse> RegisterOrLoginAsync(string email, string password, string displayName, string role, CancellationToken ct)
    {
        using var reg = await Http.PostAsJsonAsync("/api/auth/register", new RegisterRequest(email, password, displayName, role), Json.Options, ct);
        TokenResponse tokens;
        if (reg.IsSuccessStatusCode) tokens = await ReadAsync<TokenResponse>(reg, "register", ct);
        else
        {
            using var login = await Http.PostAsJsonAsync("/api/auth/login", new LoginRequest(email, password), Json.Options, ct);
            if (!login.IsSuccessStatusCode)
                throw new ApiException((int)login.StatusCode, await login.Content.ReadAsStringAsync(ct), $"register ({(int)reg.StatusCode}) then login as {email}");
            tokens = await ReadAsync<TokenResponse>(login, "login", ct);
        }
        WithToken(tokens.AccessToken, tokens.User);
        return tokens;
    }

    public async Task<CreateKnowledgeResponse> CreateKnowledgeAsync(CreateKnowledgeRequest body, CancellationToken ct)
    {
        using var r = await SendAsync(HttpMethod.Post, "/api/knowledge", body, ct);
        return await ReadAsync<CreateKnowledgeResponse>(r, "create knowledge document", ct);
    }

    /// <summary>Plain HTTP PUT of the raw bytes to the (absolute or server-relative) upload URL.</summary>
    public async Task UploadAsync(string uploadUrl, byte[] content, string contentType, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Put, uploadUrl) { Content = new ByteArrayContent(content) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var r = await Http.SendAsync(req, ct);
        if (!r.IsSuccessStatusCode) throw new ApiException((int)r.StatusCode, await r.Content.ReadAsStringAsync(ct), "upload");
    }

    public async Task ProcessAsync(Guid id, CancellationToken ct)
    {
        using var r = await SendAsync(HttpMethod.Post, $"/api/knowledge/{id}/process", null, ct);
        if (!r.IsSuccessStatusCode) throw new ApiException((int)r.StatusCode, await r.Content.ReadAsStringAsync(ct), "process");
    }

    public async Task<KnowledgeStatus> StatusAsync(Guid id, CancellationToken ct)
    {
        using var r = await SendAsync(HttpMethod.Get, $"/api/knowledge/{id}/status", null, ct);
        return await ReadAsync<KnowledgeStatus>(r, "status", ct);
    }

    public async Task<SearchResponse> SearchAsync(SearchRequest body, CancellationToken ct)
    {
        using var r = await SendAsync(HttpMethod.Post, "/api/search", body, ct);
        return await ReadAsync<SearchResponse>(r, "search", ct);
    }

    public async Task<ChatResponse> ChatAsync(ChatRequest body, CancellationToken ct)
    {
        using var r = await SendAsync(HttpMethod.Post, "/api/chat/query", body, ct);
        var answer = await ReadAsync<ChatResponse>(r, "chat", ct);
        return r.Headers.TryGetValues("X-Confidence-Evidence", out var evidence) ? answer with { Evidence = evidence.FirstOrDefault() } : answer;
    }

    /// <summary>Streams an answer over SSE and times the `sources`, first `token` and `done` events.</summary>
    public async Task<SseAnswer> ChatStreamAsync(ChatRequest body, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        using var req = Request(HttpMethod.Post, "/api/chat/query", body);
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var r = await Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!r.IsSuccessStatusCode) throw new ApiException((int)r.StatusCode, await r.Content.ReadAsStringAsync(ct), "chat (sse)");
        await using var stream = await r.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var content = new StringBuilder();
        IReadOnlyList<ChatSource> sources = [];
        string? confidence = null, error = null, evt = null;
        double? sourcesMs = null, tokenMs = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (evt is not null || data.Length > 0)
                {
                    var done = Dispatch(evt ?? "message", data.ToString());
                    if (done) break;
                }
                evt = null;
                data.Clear();
                continue;
            }
            if (line.StartsWith(':')) continue;
            if (line.StartsWith("event:", StringComparison.Ordinal)) evt = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0) data.Append('\n');
                data.Append(line.AsSpan(5).TrimStart(' '));
            }
        }
        return new SseAnswer(content.ToString(), sources, confidence, sourcesMs, tokenMs, sw.Elapsed.TotalMilliseconds, error);

        bool Dispatch(string name, string payload)
        {
            using var doc = JsonDocument.Parse(payload.Length == 0 ? "{}" : payload);
            var root = doc.RootElement;
            switch (name)
            {
                case "sources":
                    sourcesMs ??= sw.Elapsed.TotalMilliseconds;
                    if (root.TryGetProperty("sources", out var s)) sources = s.Deserialize<List<ChatSource>>(Json.Options) ?? [];
                    return false;
                case "token":
                    tokenMs ??= sw.Elapsed.TotalMilliseconds;
                    if (root.TryGetProperty("text", out var t)) content.Append(t.GetString());
                    return false;
                case "done":
                    if (root.TryGetProperty("confidence", out var c)) confidence = c.GetString();
                    return true;
                case "error":
                    error = root.TryGetProperty("code", out var code) ? code.GetString() : "error";
                    return true;
                default:
                    return false;
            }
        }
    }

    public async Task<string> MetricsTextAsync(CancellationToken ct)
    {
        using var r = await Http.GetAsync("/metrics", ct);
        return r.IsSuccessStatusCode ? await r.Content.ReadAsStringAsync(ct) : "";
    }

    public async Task<int> HealthAsync(CancellationToken ct)
    {
        using var r = await Http.GetAsync("/api/health", ct);
        return (int)r.StatusCode;
    }

    private HttpRequestMessage Request(HttpMethod method, string path, object? body)
    {
        var req = new HttpRequestMessage(method, path);
        if (AccessToken is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        if (body is not null) req.Content = JsonContent.Create(body, body.GetType(), options: Json.Options);
        return req;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var req = Request(method, path, body);
        return await Http.SendAsync(req, ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage r, string what, CancellationToken ct)
    {
        var text = await r.Content.ReadAsStringAsync(ct);
        if (!r.IsSuccessStatusCode) throw new ApiException((int)r.StatusCode, text, what);
        return JsonSerializer.Deserialize<T>(text, Json.Options) ?? throw new ApiException((int)r.StatusCode, text, what + " (empty body)");
    }
}
