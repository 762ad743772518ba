using System.Net.Http.Headers;
using System.Net.Http.Json;
using TeacherPlatform.Ai.Embeddings.Tokenization;

namespace TeacherPlatform.Ai.Embeddings;

/// <summary>Options for <see cref="OpenAiCompatibleEmbeddingModel"/>.</summary>
public sealed record OpenAiEmbeddingOptions
{
    /// <summary>Server root, e.g. http://localhost:11434; "/v1/embeddings" is appended.</summary>
    public required string Endpoint { get; init; }
    public required string Model { get; init; }
    public required int Dimensions { get; init; }
    /// <summary>Optional: local servers (Ollama, llama.cpp, vLLM) often need none.</summary>
    public string? ApiKey { get; init; }
    public int BatchSize { get; init; } = 64;
    public int MaxTokens { get; init; } = 512;
    /// <summary>Prepended to queries for asymmetric models; none by default.</summary>
    public string QueryPrefix { get; init; } = "";
}

/// <summary>
/// Any server speaking the OpenAI embeddings wire format. Token counts use the BERT-uncased WordPiece vocabulary,
/// an estimate unless the served model is BERT-based.
/// </summary>
public sealed class OpenAiCompatibleEmbeddingModel : IEmbeddingModel
{
    private const string Service = "OpenAI-compatible embeddings";
    private readonly HttpClient _http;
    private readonly OpenAiEmbeddingOptions _options;
    private readonly Uri _embeddingsUri;

    public OpenAiCompatibleEmbeddingModel(HttpClient http, OpenAiEmbeddingOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        if (options.Dimensions < 1) throw new ArgumentOutOfRangeException(nameof(options), "Dimensions must be positive.");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be positive.");
        _http = http;
        _options = options;
        _embeddingsUri = new Uri($"{options.Endpoint.TrimEnd('/')}/v1/embeddings");
    }

    public string ModelId => _options.Model;
    public int Dimensions => _options.Dimensions;
    public int MaxTokens => _options.MaxTokens;

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
        using var request = new HttpRequestMessage(HttpMethod.Post, _embeddingsUri)
        {
            Content = JsonContent.Create(new EmbeddingsRequest(_options.Model, texts), options: RemoteEmbeddingResponse.JsonOptions),
        };
        if (!string.IsNullOrEmpty(_options.ApiKey))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await RemoteEmbeddingResponse.ReadAsync<EmbeddingsResponse>(response, Service, cancellationToken).ConfigureAwait(false);
        if (body.Data is null || body.Data.Count != texts.Count)
            throw new EmbeddingServiceException($"{Service} returned {body.Data?.Count ?? 0} vectors for {texts.Count} texts.", response.StatusCode);

        // The spec lets servers reorder items; "index" is authoritative.
        var vectors = new float[texts.Count][];
        foreach (var item in body.Data)
        {
            if (item.Index < 0 || item.Index >= texts.Count || vectors[item.Index] is not null)
                throw new EmbeddingServiceException($"{Service} returned an invalid or duplicate index {item.Index}.", response.StatusCode);
            vectors[item.Index] = RemoteEmbeddingResponse.Checked(item.Embedding, _options.Dimensions, Service);
        }
        return vectors;
    }

    private sealed record EmbeddingsRequest(string Model, IReadOnlyList<string> Input);

    private sealed record EmbeddingsResponse(IReadOnlyList<EmbeddingItem>? Data, string? Model);

    private sealed record EmbeddingItem(float[]? Embedding, int Index);
}
