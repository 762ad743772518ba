using Microsoft.Extensions.AI;

namespace TeacherPlatform.Ai.Embeddings;

/// <summary>
/// Exposes an <see cref="IEmbeddingModel"/> as a Microsoft.Extensions.AI embedding generator. The generator API has no
/// notion of query vs passage, so callers set <c>AdditionalProperties["input_type"] = "query"</c> for queries;
/// anything else is embedded as passages.
/// </summary>
public sealed class EmbeddingModelGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string InputTypeKey = "input_type";
    public const string QueryInputType = "query";

    private readonly IEmbeddingModel _model;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public EmbeddingModelGenerator(IEmbeddingModel model)
    {
        _model = model;
        _metadata = new EmbeddingGeneratorMetadata(model.GetType().Name, providerUri: null, model.ModelId, model.Dimensions);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values as IReadOnlyList<string> ?? values.ToArray();
        IReadOnlyList<float[]> vectors;
        var query = IsQuery(options);
        if (query)
        {
            var queries = new float[inputs.Count][];
            for (var i = 0; i < inputs.Count; i++)
                queries[i] = await _model.EmbedQueryAsync(inputs[i], cancellationToken).ConfigureAwait(false);
            vectors = queries;
        }
        else
        {
            vectors = await _model.EmbedPassagesAsync(inputs, cancellationToken).ConfigureAwait(false);
        }

        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(
            vectors.Select(v => new Embedding<float>(v) { ModelId = query ? _model.QueryModelId : _model.ModelId, CreatedAt = created }));
    }

    private static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(InputTypeKey, out var value) == true
        && string.Equals(value?.ToString(), QueryInputType, StringComparison.OrdinalIgnoreCase);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType.IsInstanceOfType(_model)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    // The wrapped model is owned by the container, not by this adapter.
    public void Dispose() { }
}
