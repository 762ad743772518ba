using TeacherPlatform.Evals.Datasets;

namespace TeacherPlatform.Evals.Tests;

/// <summary>The word windows `ann --texts` embeds: fixed length, prose only, no repeats, and a refusal when the file is too small.</summary>
public sealed class RealTextChunksTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tp-realtext-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Windows_are_whole_words_of_prose_without_tables_or_repeats()
    {
        var prose = "The pedal should be changed just after the new harmony sounds so that the old one is cleared away cleanly.";
        var table = string.Join(' ', Enumerable.Range(0, 21).Select(i => $"0x{i:X2}"));
        var path = Path.Combine(_dir, "text.txt");
        // Each line is one 21-word window: four distinct prose lines, a table line, and the first prose line again.
        File.WriteAllLines(path, [prose + " One.", prose + " Two.", table, prose + " Three.", prose + " Four.", prose + " One."]);

        var windows = RealTextChunks.Cut(path, count: 4, words: 21, seed: 1);

        Assert.Equal(4, windows.Count);
        Assert.All(windows, w => Assert.Equal(21, w.Split(' ').Length));
        Assert.All(windows, w => Assert.DoesNotContain("0x", w));
        Assert.Equal(4, windows.Distinct().Count());
    }

    [Fact]
    public void A_file_too_small_for_the_count_asked_is_refused()
    {
        var path = Path.Combine(_dir, "small.txt");
        File.WriteAllText(path, "Only a few words of text here.");

        var error = Assert.Throws<InvalidOperationException>(() => RealTextChunks.Cut(path, count: 10, words: 5, seed: 1));
        Assert.Contains("only 1 windows", error.Message);
    }

    [Fact]
    public void Cached_vectors_round_trip_and_a_cache_for_another_count_is_ignored()
    {
        var path = Path.Combine(_dir, "cache.vectors");
        float[][] vectors = [[1f, 0f, 0.5f], [0f, 1f, -0.25f]];

        RealTextChunks.WriteCache(path, vectors);

        Assert.Equal(vectors, RealTextChunks.ReadCache(path, count: 2, dims: 3));
        Assert.Null(RealTextChunks.ReadCache(path, count: 3, dims: 3));
        Assert.Null(RealTextChunks.ReadCache(Path.Combine(_dir, "missing"), count: 2, dims: 3));
    }
}
