using System.Text.Json.Serialization;

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
public sealed class WorkersAiEmbeddingModel : RemoteEmbeddingModel
{
    private readonly WorkersAiEmbeddingOptions _options;
    private readonly Uri _runUri;

    public WorkersAiEmbeddingModel(HttpClient http, WorkersAiEmbeddingOptions options)
        : base(http, "Workers AI", options.BatchSize is < 1 or > 100
            ? throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be 1..100.") : options.BatchSize, options.QueryPrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AccountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiToken);
        _options = options;
        _runUri = new Uri($"{options.BaseUrl.TrimEnd('/')}/accounts/{Uri.EscapeDataString(options.AccountId)}/ai/run/{options.Model.TrimStart('/')}");
    }

    public override string ModelId => _options.Model;
    public override int Dimensions => _options.Dimensions;
    public override int MaxTokens => 512;

    protected override async Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var (body, status) = await PostAsync<RunResponse>(_runUri, new RunRequest(texts), _options.ApiToken, cancellationToken).ConfigureAwait(false);
        if (!body.Success || body.Result?.Data is null)
        {
            var errors = body.Errors is { Count: > 0 } ? string.Join("; ", body.Errors.Select(e => $"{e.Code}: {e.Message}")) : "no result";
            throw new EmbeddingServiceException($"{Service} call failed: {errors}", status);
        }
        if (body.Result.Data.Length != texts.Count) throw CountMismatch(body.Result.Data.Length, texts.Count, status);
        return body.Result.Data.Select(Checked).ToArray();
    }

    private sealed record RunRequest([property: JsonPropertyName("text")] IReadOnlyList<string> Text);

    private sealed record RunResponse(RunResult? Result, bool Success, IReadOnlyList<ApiMessage>? Errors);

    private sealed record RunResult(int[]? Shape, float[][]? Data);

    private sealed record ApiMessage(int Code, string? Message);
}
