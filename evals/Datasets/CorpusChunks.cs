using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Partitioning;

namespace TeacherPlatform.Evals.Datasets;

/// <summary>The dataset's documents run through the real extract and partition steps, in-process (for `ann` on the real corpus).</summary>
public static class CorpusChunks
{
    public static async Task<IReadOnlyList<string>> ExtractAsync(Dataset dataset, Func<string, int> countTokens, CancellationToken ct)
    {
        var registry = ExtractorRegistry.CreateDefault();
        var partitioner = new TextPartitioner(countTokens);
        var texts = new List<string>();
        foreach (var m in dataset.Documents)
        {
            var path = dataset.PathOf(m);
            await using var stream = File.OpenRead(path);
            var doc = await registry.ExtractAsync(stream, new ExtractionContext(m.SourceType, Path.GetFileName(path)), ct);
            texts.AddRange(partitioner.Partition(doc).Select(c => c.Text));
        }
        return texts;
    }
}
