using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using TeacherPlatform.Ai.Embeddings.Tokenization;

namespace TeacherPlatform.Ai.Embeddings;

/// <summary>Options for <see cref="WorkersAiEmbeddingModel"/>.</summary>
public sealed record WorkersAiEmbeddingOptions
{
    public const string DefaultBaseUrl = "https://api.cloudflare.com/client/v4";
    public const string DefaultModel = "@cf/baai/bge-base-en-v1.5";

    public required string AccountId { get; init; }
    public required string ApiToken { get; init; }
    public string Model { get; init; } = DefaultModel;
    public string BaseUrl { get; init; } = DefaultBaseUrl;
    public int Dimensions { get; init; } = 768;
    /// <summary>Workers AI accepts at most 100 texts per call.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>bge v1.5 recommends this instruction for short queries against passages.</summary>
    public const string DefaultQueryPrefix = LocalArcticEmbeddingModel.QueryPrefix;
    public string QueryPrefix { get; init; } = DefaultQueryPrefix;
}

/// <summary>Cloudflare Workers AI text embeddings (bge-base-en-v1.5 by default: BERT-uncased, 768 dims, 512 tokens).</summary>
public sealed class WorkersAiEmbeddingModel : IEmbeddingModel
{
    private const string Service = "Workers AI";
    private readonly HttpClient _http;
    private readonly WorkersAiEmbeddingOptions _options;
    private readonly Uri _runUri;

    public WorkersAiEmbeddingModel(HttpClient http, WorkersAiEmbeddingOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AccountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiToken);
        if (options.BatchSize is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be 1..100.");
        _http = http;
        _options = options;
        _runUri = new Uri($"{options.BaseUrl.TrimEnd('/')}/accounts/{Uri.EscapeDataString(options.AccountId)}/ai/run/{options.Model.TrimStart('/')}");
    }

    public string ModelId => _options.Model;
    public int Dimensions => _options.Dimensions;
    public int MaxTokens => 512;

    public int CountTokens(string text) => BertWordPieceTokenizer.BertBaseUncased.CountTokens(text);

    public async ValueTask<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken = default) =>
        (await EmbedBatchAsync([_options.QueryPrefix + query], cancellationToken).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<float[]>> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        var results = new List<float[]>(passages.Count);
        foreach (var chunk in passages.Chunk(_options.BatchSize))
            results.AddRange(await EmbedBatchAsync(chunk, cancellationToken).ConfigureAwait(false));
        return results;
    }

    private async Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _runUri)
        {
            Content = JsonContent.Create(new RunRequest(texts), options: RemoteEmbeddingResponse.JsonOptions),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiToken);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await RemoteEmbeddingResponse.ReadAsync<RunResponse>(response, Service, cancellationToken).ConfigureAwait(false);
        if (!body.Success || body.Result?.Data is null)
        {
            var errors = body.Errors is { Count: > 0 } ? string.Join("; ", body.Errors.Select(e => $"{e.Code}: {e.Message}")) : "no result";
            throw new EmbeddingServiceException($"{Service} call failed: {errors}", response.StatusCode);
        }
        if (body.Result.Data.Length != texts.Count)
            throw new EmbeddingServiceException($"{Service} returned {body.Result.Data.Length} vectors for {texts.Count} texts.", response.StatusCode);
        return body.Result.Data.Select(v => RemoteEmbeddingResponse.Checked(v, _options.Dimensions, Service)).ToArray();
    }

    private sealed record RunRequest([property: JsonPropertyName("text")] IReadOnlyList<string> Text);

    private sealed record RunResponse(RunResult? Result, bool Success, IReadOnlyList<ApiMessage>? Errors);

    private sealed record RunResult(int[]? Shape, float[][]? Data);

    private sealed record ApiMessage(int Code, string? Message);
}
