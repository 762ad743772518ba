using TeacherPlatform.Ai.VectorIndex;

namespace TeacherPlatform.UnitTests.VectorIndex;

public sealed class ExactAndInProcessVectorIndexTests
{
    private const int Dimensions = 64;

    [Fact]
    public void Exact_search_returns_the_true_top_k_in_descending_order()
    {
        var mixture = new GaussianMixture(seed: 1, Dimensions, clusters: 8, sigma: 0.1f);
        var data = mixture.Next(3_000);
        using var index = new ExactVectorIndex(Dimensions);
        for (var i = 0; i < data.Length; i++) index.Upsert(i, data[i]);

        var query = mixture.Next();
        var expected = data.Select((v, i) => (Key: i, Score: Dot(query, v)))
            .OrderByDescending(x => x.Score).Take(7).Select(x => x.Key);
        var hits = index.Search(query, 7);
        Assert.Equal(expected, hits.Select(h => h.Key));
        Assert.Equal(hits.OrderByDescending(h => h.Score), hits);
    }

    [Fact]
    public void Exact_remove_and_filter_work_together()
    {
        var data = new GaussianMixture(seed: 2, Dimensions, clusters: 4, sigma: 0.1f).Next(100);
        using var index = new ExactVectorIndex(Dimensions);
        for (var i = 0; i < data.Length; i++) index.Upsert(i, data[i]);

        Assert.True(index.Remove(10));
        Assert.False(index.Remove(10));
        Assert.Equal(99, index.Count);
        Assert.DoesNotContain(index.Search(data[10], 100), h => h.Key == 10);
        // Swap-remove moved the last key into the hole: it must still be found under its own key.
        Assert.Equal(99, index.Search(data[99], 1)[0].Key);
        var odd = index.Search(data[0], 5, key => key % 2 == 1);
        Assert.Equal(5, odd.Count);
        Assert.All(odd, h => Assert.True(h.Key % 2 == 1));
    }

    [Fact]
    public void In_process_index_switches_to_hnsw_at_the_threshold_and_back_well_below_it()
    {
        var data = new GaussianMixture(seed: 4, Dimensions, clusters: 4, sigma: 0.1f).Next(150);
        using var index = new InProcessVectorIndex(Dimensions, new InProcessVectorIndexOptions(HnswThreshold: 100));
        for (var i = 0; i < 99; i++) index.Upsert(i, data[i]);
        Assert.False(index.UsesHnsw);

        for (var i = 99; i < data.Length; i++) index.Upsert(i, data[i]);
        Assert.True(index.UsesHnsw);
        Assert.Equal(149, index.Search(data[149], 1)[0].Key);

        for (var i = 0; i < 101; i++) Assert.True(index.Remove(i));
        Assert.False(index.UsesHnsw);
        Assert.Equal(49, index.Count);
        Assert.Equal(120, index.Search(data[120], 1)[0].Key);
    }

    private static float Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}
