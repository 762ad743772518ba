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
public sealed class OpenAiCompatibleEmbeddingModel : RemoteEmbeddingModel
{
    private readonly OpenAiEmbeddingOptions _options;
    private readonly Uri _embeddingsUri;

    public OpenAiCompatibleEmbeddingModel(HttpClient http, OpenAiEmbeddingOptions options)
        : base(http, "OpenAI-compatible embeddings", options.BatchSize, options.QueryPrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        if (options.Dimensions < 1) throw new ArgumentOutOfRangeException(nameof(options), "Dimensions must be positive.");
        _options = options;
        _embeddingsUri = new Uri($"{options.Endpoint.TrimEnd('/')}/v1/embeddings");
    }

    public override string ModelId => _options.Model;
    public override int Dimensions => _options.Dimensions;
    public override int MaxTokens => _options.MaxTokens;

    protected override async Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var (body, status) = await PostAsync<EmbeddingsResponse>(_embeddingsUri, new EmbeddingsRequest(_options.Model, texts), _options.ApiKey, cancellationToken)
            .ConfigureAwait(false);
        if (body.Data is null || body.Data.Count != texts.Count) throw CountMismatch(body.Data?.Count ?? 0, texts.Count, status);

        // The spec lets servers reorder items; "index" is authoritative.
        var vectors = new float[texts.Count][];
        foreach (var item in body.Data)
        {
            if (item.Index < 0 || item.Index >= texts.Count || vectors[item.Index] is not null)
                throw new EmbeddingServiceException($"{Service} returned an invalid or duplicate index {item.Index}.", status);
            vectors[item.Index] = Checked(item.Embedding);
        }
        return vectors;
    }

    private sealed record EmbeddingsRequest(string Model, IReadOnlyList<string> Input);

    private sealed record EmbeddingsResponse(IReadOnlyList<EmbeddingItem>? Data, string? Model);

    private sealed record EmbeddingItem(float[]? Embedding, int Index);
}
