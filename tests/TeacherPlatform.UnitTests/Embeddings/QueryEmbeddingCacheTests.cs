using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.UnitTests.Embeddings;

/// <summary>Query vectors are cached per query weights: an fp32 query vector is never served where queries run on int8.</summary>
public sealed class QueryEmbeddingCacheTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly AppTelemetry _telemetry;

    public QueryEmbeddingCacheTests()
    {
        var services = new ServiceCollection().AddMetrics();
        services.AddHybridCache();
        _services = services.BuildServiceProvider();
        _telemetry = new AppTelemetry(_services.GetRequiredService<IMeterFactory>());
    }

    /// <summary>Answers every query with [<paramref name="mark"/>, 0, 0] and counts the calls.</summary>
    private sealed class MarkedModel(string modelId, string queryModelId, float mark) : IEmbeddingModel
    {
        public int QueryCalls { get; private set; }
        public string ModelId => modelId;
        public string QueryModelId => queryModelId;
        public int Dimensions => 3;
        public int MaxTokens => 512;
        public int CountTokens(string text) => text.Length;
        public ValueTask<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken = default)
        {
            QueryCalls++;
            return ValueTask.FromResult(new[] { mark, 0f, 0f });
        }
        public Task<IReadOnlyList<float[]>> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }

    private QueryEmbeddingCache CacheFor(IEmbeddingModel model) =>
        new(model, _services.GetRequiredService<HybridCache>(), _telemetry);

    [Fact]
    public async Task The_same_index_with_fp32_and_int8_queries_keeps_separate_query_vectors()
    {
        const string question = "How do I keep the thumb from bumping in fast scales?";
        var fp32 = new MarkedModel(LocalArcticEmbeddingModel.Id, LocalArcticEmbeddingModel.Id, 1f);
        var asymmetric = new MarkedModel(LocalArcticEmbeddingModel.Id, LocalArcticEmbeddingModel.Int8Id, 2f);
        var int8 = new MarkedModel(LocalArcticEmbeddingModel.Int8Id, LocalArcticEmbeddingModel.Int8Id, 3f);

        Assert.Equal(1f, (await CacheFor(fp32).GetAsync(question, CancellationToken.None))[0]);
        Assert.Equal(2f, (await CacheFor(asymmetric).GetAsync(question, CancellationToken.None))[0]);
        Assert.Equal(1, asymmetric.QueryCalls);
        // Same query weights (the int8 copy), same vector: the all-int8 setup may reuse it.
        Assert.Equal(2f, (await CacheFor(int8).GetAsync(question, CancellationToken.None))[0]);
        Assert.Equal(0, int8.QueryCalls);
        // And the fp32 entry is still fp32's.
        Assert.Equal(1f, (await CacheFor(fp32).GetAsync("how do i keep the thumb from bumping in fast scales", CancellationToken.None))[0]);
        Assert.Equal(1, fp32.QueryCalls);
    }

    public void Dispose()
    {
        _telemetry.Dispose();
        _services.Dispose();
    }
}
