using System.ComponentModel;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using TeacherPlatform.Ai.Rag;

namespace TeacherPlatform.Ai.Plugins;

/// <summary>
/// Numbers retrieved chunks [1]..[n] after dropping near-duplicates (overlapping chunks of one document, the same
/// passage in two documents), and renders the numbered context the model must cite from.
/// </summary>
public sealed class CitationBuilderPlugin(IOptions<RagOptions> options)
{
    [KernelFunction("build_citations")]
    [Description("Numbers the retrieved passages as sources [1]..[n], removing near-duplicates, and returns the source list and the numbered context.")]
    public CitationSet Build([Description("Passages in ranked order")] IReadOnlyList<RetrievedChunk> chunks)
    {
        var kept = new List<(RetrievedChunk Chunk, HashSet<string> Shingles)>();
        foreach (var chunk in chunks)
        {
            var shingles = Shingles(chunk.Text);
            if (kept.Any(k => Jaccard(k.Shingles, shingles) >= options.Value.DuplicateThreshold)) continue;
            kept.Add((chunk, shingles));
        }
        var sources = kept.Select((k, i) => new Source(i + 1, k.Chunk.DocumentId, k.Chunk.Title, k.Chunk.SourceType, k.Chunk.PageNumber,
            k.Chunk.PageEnd, k.Chunk.StartSeconds, k.Chunk.ChunkId, k.Chunk.Snippet, Math.Round(k.Chunk.Score, 6))).ToList();
        var context = new StringBuilder();
        for (var i = 0; i < kept.Count; i++)
        {
            var c = kept[i].Chunk;
            context.Append('[').Append(i + 1).Append("] ").Append(c.Title).Append(", ").Append(Location(c)).Append('\n');
            context.Append(c.Text.Trim()).Append("\n\n");
        }
        return new CitationSet(sources, kept.Select(k => k.Chunk).ToList(), context.ToString().TrimEnd());
    }

    public static string Location(RetrievedChunk c) => c.StartSeconds is { } s
        ? $"at {TimeSpan.FromSeconds(Math.Floor(s)):g}"
        : c.PageEnd != c.PageNumber ? $"pages {c.PageNumber}-{c.PageEnd}" : $"page {c.PageNumber.ToString(CultureInfo.InvariantCulture)}";

    private static HashSet<string> Shingles(string text)
    {
        var words = text.ToLowerInvariant().Split((char[])[' ', '\n', '\t', '\r', ',', '.', ';', ':', '!', '?', '(', ')'], StringSplitOptions.RemoveEmptyEntries);
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 2 < words.Length; i++) set.Add($"{words[i]} {words[i + 1]} {words[i + 2]}");
        if (set.Count == 0) foreach (var w in words) set.Add(w);
        return set;
    }

    private static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0) return 0;
        var inter = a.Count < b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        return inter / (double)(a.Count + b.Count - inter);
    }
}
