using System.Diagnostics;
using TeacherPlatform.Ai.VectorIndex;
using Xunit.Abstractions;

namespace TeacherPlatform.UnitTests.VectorIndex;

[Collection(CpuHeavyCollection.Name)]
public sealed class HnswVectorIndexTests(ITestOutputHelper output)
{
    private const int Dimensions = 384;

    [Fact]
    public void Recall_at_10_against_exact_search_is_at_least_099_on_20k_clustered_vectors()
    {
        var mixture = new GaussianMixture(seed: 7, Dimensions, clusters: 50, sigma: 0.05f);
        var data = mixture.Next(20_000);
        var queries = mixture.Next(200);

        var exact = new ExactVectorIndex(Dimensions);
        for (var i = 0; i < data.Length; i++) exact.Upsert(i, data[i]);

        using var index = new InProcessVectorIndex(Dimensions, new InProcessVectorIndexOptions(ForceHnsw: true));
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < data.Length; i++) index.Upsert(i, data[i]);
        var build = watch.Elapsed;
        Assert.True(index.UsesHnsw);

        watch.Restart();
        var found = 0;
        foreach (var query in queries)
        {
            var truth = exact.Search(query, 10).Select(h => h.Key).ToHashSet();
            found += index.Search(query, 10).Count(h => truth.Contains(h.Key));
        }
        var recall = found / (10.0 * queries.Length);
        output.WriteLine($"HNSW build 20k x 384: {build.TotalSeconds:F2} s; recall@10 = {recall:F4}; " +
                         $"exact+hnsw search of 200 queries: {watch.ElapsedMilliseconds} ms");
        Assert.True(recall >= 0.99, $"recall@10 was {recall:F4}");
    }

    [Fact]
    public void A_filter_accepting_5_percent_of_keys_still_returns_k_hits_that_all_pass()
    {
        var mixture = new GaussianMixture(seed: 11, Dimensions, clusters: 20, sigma: 0.05f);
        var data = mixture.Next(5_000);
        using var index = new HnswVectorIndex(Dimensions);
        var exact = new ExactVectorIndex(Dimensions);
        for (var i = 0; i < data.Length; i++)
        {
            index.Upsert(i, data[i]);
            exact.Upsert(i, data[i]);
        }

        static bool Filter(int key) => key % 20 == 0;
        var found = 0;
        foreach (var query in mixture.Next(50))
        {
            var hits = index.Search(query, 10, Filter);
            Assert.Equal(10, hits.Count);
            Assert.All(hits, h => Assert.True(Filter(h.Key)));
            Assert.Equal(hits.OrderByDescending(h => h.Score), hits);
            var truth = exact.Search(query, 10, Filter).Select(h => h.Key).ToHashSet();
            found += hits.Count(h => truth.Contains(h.Key));
        }
        Assert.True(found / 500.0 >= 0.95, $"filtered recall@10 was {found / 500.0:F3}");
    }

    [Fact]
    public void Removed_keys_are_never_returned_but_the_graph_still_finds_their_neighbours()
    {
        var mixture = new GaussianMixture(seed: 3, Dimensions, clusters: 10, sigma: 0.05f);
        var data = mixture.Next(2_000);
        using var index = new HnswVectorIndex(Dimensions);
        for (var i = 0; i < data.Length; i++) index.Upsert(i, data[i]);

        var query = data[42];
        var before = index.Search(query, 10);
        Assert.Equal(42, before[0].Key);
        Assert.Equal(1f, before[0].Score, 4);

        var removed = before.Take(5).Select(h => h.Key).ToHashSet();
        foreach (var key in removed) Assert.True(index.Remove(key));
        Assert.False(index.Remove(42));
        Assert.Equal(data.Length - 5, index.Count);
        Assert.Equal(5, index.TombstoneCount);

        var after = index.Search(query, 10);
        Assert.Equal(10, after.Count);
        Assert.DoesNotContain(after, h => removed.Contains(h.Key));
        Assert.Equal(before.Skip(5).Select(h => h.Key), after.Take(5).Select(h => h.Key));
    }

    [Fact]
    public void Upserting_an_existing_key_replaces_its_vector()
    {
        var mixture = new GaussianMixture(seed: 5, Dimensions, clusters: 5, sigma: 0.05f);
        var data = mixture.Next(500);
        using var index = new HnswVectorIndex(Dimensions);
        for (var i = 0; i < data.Length; i++) index.Upsert(i, data[i]);

        index.Upsert(1, data[300]);

        Assert.Equal(data.Length, index.Count);
        var hits = index.Search(data[300], 2);
        Assert.Equal(new[] { 1, 300 }.ToHashSet(), hits.Select(h => h.Key).ToHashSet());
        Assert.DoesNotContain(index.Search(data[1], 10), h => h.Key == 1 && h.Score > 0.999f && data[1] != data[300]);
    }

    [Fact]
    public void Building_is_deterministic_for_a_seed()
    {
        var data = new GaussianMixture(seed: 9, Dimensions, clusters: 5, sigma: 0.1f).Next(1_000);
        using var a = new HnswVectorIndex(Dimensions, new HnswOptions(Seed: 1));
        using var b = new HnswVectorIndex(Dimensions, new HnswOptions(Seed: 1));
        for (var i = 0; i < data.Length; i++)
        {
            a.Upsert(i, data[i]);
            b.Upsert(i, data[i]);
        }
        foreach (var q in data.Take(20))
            Assert.Equal(a.Search(q, 10, efSearch: 16), b.Search(q, 10, efSearch: 16));
    }

    [Fact]
    public async Task Concurrent_readers_and_a_writer_do_not_corrupt_the_index()
    {
        var mixture = new GaussianMixture(seed: 13, Dimensions, clusters: 10, sigma: 0.05f);
        var data = mixture.Next(3_000);
        using var index = new HnswVectorIndex(Dimensions);
        for (var i = 0; i < 1_000; i++) index.Upsert(i, data[i]);

        var writer = Task.Run(() => { for (var i = 1_000; i < data.Length; i++) index.Upsert(i, data[i]); });
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var hits = index.Search(data[(i * 7 + r) % 1_000], 5);
                Assert.Equal(5, hits.Count);
            }
        }));
        await Task.WhenAll(readers.Append(writer));
        Assert.Equal(data.Length, index.Count);
        Assert.Equal(2_500, index.Search(data[2_500], 1)[0].Key);
    }
}
