using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using TeacherPlatform.Ai.Embeddings.Tokenization;

namespace TeacherPlatform.Ai.Embeddings;

/// <summary>
/// What the HTTP embedders share: queries get the prefix, passages go in batches of <see cref="BatchSize"/> in order,
/// requests are JSON POSTs with an optional bearer token, errors and vectors are checked by
/// <see cref="RemoteEmbeddingResponse"/>. A subclass says only how one batch is asked for and read.
/// </summary>
public abstract class RemoteEmbeddingModel : IEmbeddingModel
{
    private readonly HttpClient _http;

    protected RemoteEmbeddingModel(HttpClient http, string service, int batchSize, string queryPrefix)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "BatchSize must be positive.");
        _http = http;
        Service = service;
        BatchSize = batchSize;
        QueryPrefix = queryPrefix;
    }

    /// <summary>The service's name in error messages.</summary>
    protected string Service { get; }
    protected int BatchSize { get; }
    protected string QueryPrefix { get; }

    public abstract string ModelId { get; }
    public abstract int Dimensions { get; }
    public abstract int MaxTokens { get; }

    /// <summary>BERT-uncased WordPiece counts (exact for BERT-based models, an estimate for others).</summary>
    public int CountTokens(string text) => BertWordPieceTokenizer.BertBaseUncased.CountTokens(text);

    public async ValueTask<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken = default) =>
        (await EmbedBatchAsync([QueryPrefix + query], cancellationToken).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<float[]>> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        var results = new List<float[]>(passages.Count);
        foreach (var chunk in passages.Chunk(BatchSize))
            results.AddRange(await EmbedBatchAsync(chunk, cancellationToken).ConfigureAwait(false));
        return results;
    }

    /// <summary>One call for at most <see cref="BatchSize"/> texts; vectors in the order of the texts, normalised.</summary>
    protected abstract Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);

    /// <summary>POSTs <paramref name="payload"/> as JSON and reads the answer (non-2xx and bad JSON become <see cref="EmbeddingServiceException"/>).</summary>
    protected async Task<(T Body, HttpStatusCode Status)> PostAsync<T>(Uri uri, object payload, string? bearerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = JsonContent.Create(payload, payload.GetType(), options: RemoteEmbeddingResponse.JsonOptions),
        };
        if (!string.IsNullOrEmpty(bearerToken)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        return (await RemoteEmbeddingResponse.ReadAsync<T>(response, Service, cancellationToken).ConfigureAwait(false), response.StatusCode);
    }

    /// <summary>The service answered for a different number of texts than it was sent.</summary>
    protected EmbeddingServiceException CountMismatch(int returned, int sent, HttpStatusCode status) =>
        new($"{Service} returned {returned} vectors for {sent} texts.", status);

    protected float[] Checked(float[]? vector) => RemoteEmbeddingResponse.Checked(vector, Dimensions, Service);
}
