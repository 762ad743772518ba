using TeacherPlatform.Ai.VectorIndex;

namespace TeacherPlatform.UnitTests.VectorIndex;

/// <summary>The persisted index reads back as the same graph, and a damaged or foreign file is refused, never trusted.</summary>
public sealed class VectorIndexSnapshotTests : IDisposable
{
    private const int Dimensions = 48;
    private const string Model = "test-model";
    private readonly string _dir = Directory.CreateTempSubdirectory("tp-snapshot-").FullName;
    private string Path => System.IO.Path.Combine(_dir, "index.tpvx");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (InProcessVectorIndex Index, float[][] Data) Graph(int count, InProcessVectorIndexOptions options)
    {
        var data = new GaussianMixture(seed: 11, Dimensions, clusters: 10, sigma: 0.15f).Next(count);
        var index = new InProcessVectorIndex(Dimensions, options);
        for (var i = 0; i < data.Length; i++) index.Upsert(1000 + i, data[i]);
        return (index, data);
    }

    [Fact]
    public void A_saved_graph_reads_back_with_the_same_tombstones_and_answers_every_search_identically()
    {
        var options = new InProcessVectorIndexOptions(HnswThreshold: 100);
        var (index, data) = Graph(1_500, options);
        using var _ = index;
        index.Remove(1000);
        index.Upsert(1001, data[5]); // a replacement leaves a tombstone behind

        var header = VectorIndexSnapshot.Write(Path, Model, sourceVersion: 7, index);
        Assert.Equal(new VectorSnapshotHeader(Model, Dimensions, 1_499, 1000 + 1_499, 7), header);

        var read = VectorIndexSnapshot.TryRead(Path, Model, Dimensions, options);
        Assert.Null(read.Problem);
        using var loaded = read.Index!;
        Assert.True(loaded.UsesHnsw);
        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(index.Keys().Order(), loaded.Keys().Order());
        var queries = new GaussianMixture(seed: 12, Dimensions, clusters: 10, sigma: 0.15f).Next(40);
        foreach (var q in queries)
        {
            Assert.Equal(index.Search(q, 10), loaded.Search(q, 10));
            Assert.Equal(index.Search(q, 5, k => k % 3 == 0), loaded.Search(q, 5, k => k % 3 == 0));
        }
        Assert.DoesNotContain(loaded.Search(data[0], 20), h => h.Key == 1000);

        // The loaded graph keeps growing and shrinking like one built in this process.
        loaded.Upsert(5, data[7]);
        Assert.True(loaded.Remove(1002));
        Assert.Contains(loaded.Search(data[7], 3), h => h.Key == 5);
        Assert.DoesNotContain(loaded.Search(data[2], 20), h => h.Key == 1002);
    }

    [Fact]
    public void An_index_below_the_threshold_round_trips_without_a_graph()
    {
        var options = new InProcessVectorIndexOptions(HnswThreshold: 10_000);
        var (index, data) = Graph(300, options);
        using var _ = index;
        VectorIndexSnapshot.Write(Path, Model, 1, index);
        using var loaded = VectorIndexSnapshot.TryRead(Path, Model, Dimensions, options).Index!;
        Assert.False(loaded.UsesHnsw);
        Assert.Equal(index.Search(data[3], 10), loaded.Search(data[3], 10));
    }

    [Fact]
    public void A_flipped_byte_a_truncated_file_another_model_or_changed_graph_parameters_are_refused()
    {
        var options = new InProcessVectorIndexOptions(HnswThreshold: 100);
        var (index, _) = Graph(400, options);
        using var __ = index;
        VectorIndexSnapshot.Write(Path, Model, 1, index);
        var good = File.ReadAllBytes(Path);

        Assert.Contains("no snapshot", VectorIndexSnapshot.TryRead(System.IO.Path.Combine(_dir, "missing"), Model, Dimensions, options).Problem);
        Assert.Contains("model", VectorIndexSnapshot.TryRead(Path, "other-model", Dimensions, options).Problem);
        Assert.Contains("model", VectorIndexSnapshot.TryRead(Path, Model, Dimensions + 1, options).Problem);
        var otherM = options with { Hnsw = new HnswOptions(M: 8) };
        Assert.Contains("M=16", VectorIndexSnapshot.TryRead(Path, Model, Dimensions, otherM).Problem);

        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x40;
        File.WriteAllBytes(Path, flipped);
        var read = VectorIndexSnapshot.TryRead(Path, Model, Dimensions, options);
        Assert.Null(read.Index);
        Assert.Contains("checksum", read.Problem);

        File.WriteAllBytes(Path, good[..(good.Length - 100)]);
        Assert.Contains("truncated", VectorIndexSnapshot.TryRead(Path, Model, Dimensions, options).Problem);

        File.WriteAllBytes(Path, good[..10]);
        Assert.NotNull(VectorIndexSnapshot.TryRead(Path, Model, Dimensions, options).Problem);

        File.WriteAllBytes(Path, good);
        Assert.Null(VectorIndexSnapshot.TryRead(Path, Model, Dimensions, options).Problem);
        // Atomic replace: no temporary file is left next to the snapshot.
        Assert.Equal(new[] { Path }, Directory.GetFiles(_dir));
    }
}
