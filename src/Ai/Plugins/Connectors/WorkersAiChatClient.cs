using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace TeacherPlatform.Ai.Connectors;

/// <summary>
/// Cloudflare Workers AI text generation (<c>POST {base}/accounts/{account}/ai/run/{model}</c>) as an
/// <see cref="IChatClient"/>. Retries on 429/5xx belong to the <see cref="HttpClient"/>'s resilience handler;
/// they only ever repeat the request before response headers arrive, so a started stream is never replayed.
/// </summary>
public sealed class WorkersAiChatClient : IChatClient
{
    internal const string Service = "Workers AI";
    private const int MaxErrorBodyChars = 2_000;

    private readonly HttpClient _http;
    private readonly WorkersAiChatOptions _options;
    private readonly LlmGenerationDefaults _defaults;
    private readonly TimeProvider _time;
    private readonly string _accountBase;
    private readonly ChatClientMetadata _metadata;

    public WorkersAiChatClient(HttpClient http, WorkersAiChatOptions options, LlmGenerationDefaults defaults, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AccountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiToken);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        _http = http;
        _options = options;
        _defaults = defaults;
        _time = time ?? TimeProvider.System;
        _accountBase = $"{options.BaseUrl.TrimEnd('/')}/accounts/{Uri.EscapeDataString(options.AccountId)}/ai/run/";
        _metadata = new ChatClientMetadata("workersai", new Uri(options.BaseUrl), options.Model);
    }

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        LlmStreaming.GuardAsync(Service, _options.Timeouts, _time, token => RespondAsync(messages, options, token), cancellationToken);

    private async Task<ChatResponse> RespondAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token)
    {
        var model = ModelFor(options);
        using var request = CreateRequest(messages, options, model, stream: false);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        await EnsureSuccessAsync(response, token).ConfigureAwait(false);
        using var json = await JsonDocument.ParseAsync(
            await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false), cancellationToken: token).ConfigureAwait(false);
        var root = json.RootElement;
        if (ErrorsOf(root) is { } errors || !root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
            throw new LlmServiceException($"{Service} call failed: {ErrorsOf(root) ?? "no result"}", response.StatusCode);

        var message = new ChatMessage(ChatRole.Assistant, TextOf(result));
        return new ChatResponse(message)
        {
            ResponseId = NewId(),
            ModelId = model,
            CreatedAt = _time.GetUtcNow(),
            FinishReason = FinishReasonOf(result) ?? ChatFinishReason.Stop,
            Usage = UsageOf(result),
        };
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        LlmStreaming.GuardAsync(Service, _options.Timeouts, _time, token => StreamAsync(messages, options, token), cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        // The HttpClient belongs to IHttpClientFactory (or the caller).
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var model = ModelFor(options);
        var responseId = NewId();
        using var request = CreateRequest(messages, options, model, stream: true);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        var finished = false;
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data == "[DONE]")
            {
                finished = true;
                break;
            }
            var contents = ParseStreamEvent(item.Data);
            if (contents.Count > 0) yield return Update(contents);
        }

        // Workers AI always terminates with [DONE]; a stream that just ends was cut off.
        if (!finished) throw new LlmStreamException($"{Service} stream ended before [DONE].");
        var last = Update([]);
        last.FinishReason = ChatFinishReason.Stop;
        yield return last;

        ChatResponseUpdate Update(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = model,
            CreatedAt = _time.GetUtcNow(),
        };
    }

    /// <summary>One <c>data:</c> event: <c>{"response":"Hel","p":"…"}</c>, possibly with <c>usage</c>, or an error payload.</summary>
    private static List<AIContent> ParseStreamEvent(string data)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(data);
        }
        catch (JsonException ex)
        {
            throw new LlmStreamException($"{Service} sent a malformed stream event: {Truncate(data, 200)}", ex);
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new LlmStreamException($"{Service} sent a stream event that is not an object: {Truncate(data, 200)}");
            if (ErrorsOf(root) is { } errors)
                throw new LlmStreamException($"{Service} reported an error mid-stream: {errors}");

            var contents = new List<AIContent>(2);
            if (TextOf(root) is { Length: > 0 } text) contents.Add(new TextContent(text));
            if (UsageOf(root) is { } usage) contents.Add(new UsageContent(usage));
            return contents;
        }
    }

    private HttpRequestMessage CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        var body = new RunRequest(
            messages.Select(m => new RunMessage(m.Role.Value, m.Text)).ToArray(),
            stream,
            options?.MaxOutputTokens ?? _defaults.MaxTokens,
            options?.Temperature ?? _defaults.Temperature);
        var request = new HttpRequestMessage(HttpMethod.Post, _accountBase + model.TrimStart('/'))
        {
            Content = JsonContent.Create(body, options: WireJson),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(stream ? "text/event-stream" : "application/json"));
        return request;
    }

    private string ModelFor(ChatOptions? options) => options?.ModelId is { Length: > 0 } m ? m : _options.Model;

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string detail;
        try
        {
            using var json = JsonDocument.Parse(text);
            detail = ErrorsOf(json.RootElement) ?? Truncate(text, MaxErrorBodyChars);
        }
        catch (JsonException)
        {
            detail = Truncate(text, MaxErrorBodyChars);
        }
        throw new LlmServiceException($"{Service} answered {(int)response.StatusCode} {response.ReasonPhrase}: {detail}", response.StatusCode);
    }

    /// <summary>Workers AI reports failures as <c>errors: [{code, message}]</c> (sometimes <c>success: false</c>, or a bare <c>error</c>).</summary>
    private static string? ErrorsOf(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            return string.Join("; ", errors.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object
                ? $"{(e.TryGetProperty("code", out var c) ? c.ToString() : "?")}: {(e.TryGetProperty("message", out var m) ? m.ToString() : e.ToString())}"
                : e.ToString()));
        if (root.TryGetProperty("error", out var error) && error.ValueKind is not JsonValueKind.Null)
            return error.ToString();
        if (root.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False)
            return "success: false";
        return null;
    }

    /// <summary><c>response</c> is a string, or an object in JSON mode (returned as its JSON text).</summary>
    private static string TextOf(JsonElement result) =>
        result.TryGetProperty("response", out var response)
            ? response.ValueKind switch
            {
                JsonValueKind.String => response.GetString()!,
                JsonValueKind.Null or JsonValueKind.Undefined => "",
                _ => response.GetRawText(),
            }
            : "";

    private static UsageDetails? UsageOf(JsonElement element)
    {
        if (!element.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object) return null;
        var input = Count(usage, "prompt_tokens");
        var output = Count(usage, "completion_tokens");
        return new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = Count(usage, "total_tokens") ?? input + output,
        };

        static long? Count(JsonElement usage, string name) =>
            usage.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
    }

    private static ChatFinishReason? FinishReasonOf(JsonElement result) =>
        result.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String
            ? OpenAiCompatibleChatClient.MapFinishReason(reason.GetString())
            : null;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private sealed record RunRequest(IReadOnlyList<RunMessage> Messages, bool Stream, int MaxTokens, float Temperature);

    private sealed record RunMessage(string Role, string Content);
}
