using System.Diagnostics;
using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Ai.Retrieval;

public enum SearchMode { Hybrid, Vector, Keyword }

/// <summary>A fused hit with the evidence the confidence scorer and the evals need.</summary>
public sealed record SearchHit(ChunkDetails Chunk, double Score, int? VectorRank, int? KeywordRank, double? VectorScore, double? KeywordScore, string Snippet);

public sealed record SearchResultSet(IReadOnlyList<SearchHit> Hits, int VectorCandidates, int KeywordCandidates);

/// <summary>
/// Vector top-N + keyword top-N fused by <see cref="SearchOptions.Fusion"/>: by default relative score fusion
/// (each list's scores min-max normalised over its own candidates, so cosine and bm25 need no common scale, then a
/// weighted sum); or Reciprocal Rank Fusion, score = wv/(k + rank_v) + wk/(k + rank_k). Score fusion keeps how far
/// ahead a list's best candidate is, which ranks alone lose: a chunk far ahead in bm25 but middling in the weaker
/// vector list stays on top (issue 10, P1).
/// </summary>
public sealed class HybridSearchService(IKnowledgeIndex index, QueryEmbeddingCache embeddings, IOptions<SearchOptions> options)
{
    public async Task<SearchResultSet> SearchAsync(string query, int topK, SearchMode mode, SearchScope scope, CancellationToken ct, int? efSearch = null)
    {
        using var activity = AppTelemetry.Source.StartActivity("search");
        activity?.SetTag("search.mode", mode.ToString());
        var o = options.Value;
        var candidates = Math.Max(o.CandidatesPerList, topK);

        // The two lists are independent, so they run at the same time: the query embedding runs on the encoder's own
        // threads while the keyword statement runs here, and hybrid takes the longer of the two rather than their sum.
        var vectorTask = mode == SearchMode.Keyword ? Task.FromResult(NoHits) : VectorSearchAsync(query, candidates, scope, efSearch, ct);
        var keywordTask = mode == SearchMode.Vector ? Task.FromResult(NoHits) : index.KeywordSearchAsync(query, candidates, scope, ct);
        await Task.WhenAll(vectorTask, keywordTask);
        var (vector, keyword) = (vectorTask.Result, keywordTask.Result);

        // Single modes rank by the list's own score; hybrid adds each list's contribution (see Fusion).
        var (vectorAdd, keywordAdd) = mode == SearchMode.Hybrid ? Fusion.Contributions(vector, keyword, o) : ([], []);
        var fused = new Dictionary<long, (double Score, int? VRank, int? KRank, double? VScore, double? KScore)>();
        for (var i = 0; i < vector.Count; i++)
        {
            var rank = i + 1;
            fused[vector[i].Seq] = (mode == SearchMode.Vector ? vector[i].Score : vectorAdd[i], rank, null, vector[i].Score, null);
        }
        for (var i = 0; i < keyword.Count; i++)
        {
            var rank = i + 1;
            var add = mode == SearchMode.Keyword ? keyword[i].Score : keywordAdd[i];
            fused[keyword[i].Seq] = fused.TryGetValue(keyword[i].Seq, out var e)
                ? (e.Score + add, e.VRank, rank, e.VScore, keyword[i].Score)
                : (add, null, rank, null, keyword[i].Score);
        }
        var top = fused.OrderByDescending(f => f.Value.Score).ThenBy(f => f.Key).Take(topK).ToList();
        var details = (await index.GetChunksAsync(top.Select(t => t.Key).ToList(), ct)).ToDictionary(d => d.Seq);
        var terms = KeywordQuery.Terms(query);
        var hits = top.Where(t => details.ContainsKey(t.Key)).Select(t =>
        {
            var d = details[t.Key];
            return new SearchHit(d, t.Value.Score, t.Value.VRank, t.Value.KRank, t.Value.VScore, t.Value.KScore, Snippets.Best(d.Text, terms));
        }).ToList();
        return new SearchResultSet(hits, vector.Count, keyword.Count);
    }

    private static readonly IReadOnlyList<RankedChunk> NoHits = [];

    private async Task<IReadOnlyList<RankedChunk>> VectorSearchAsync(string query, int candidates, SearchScope scope, int? efSearch, CancellationToken ct)
    {
        var q = await embeddings.GetAsync(query, ct);
        return await index.VectorSearchAsync(q, candidates, scope, efSearch, ct);
    }
}

/// <summary>Picks the most query-relevant window of a chunk for display.</summary>
public static class Snippets
{
    public static string Best(string text, IReadOnlyList<string> terms, int maxLength = 320)
    {
        var clean = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
        if (clean.Length <= maxLength) return clean;
        var lower = clean.ToLowerInvariant();
        var bestStart = 0;
        var bestScore = -1;
        for (var start = 0; start < clean.Length - maxLength / 2; start += 40)
        {
            var window = lower.AsSpan(start, Math.Min(maxLength, lower.Length - start));
            var score = 0;
            foreach (var t in terms) if (window.Contains(t.AsSpan(), StringComparison.Ordinal)) score++;
            if (score > bestScore) { bestScore = score; bestStart = start; }
        }
        // Start at a word boundary.
        if (bestStart > 0)
        {
            var space = clean.IndexOf(' ', bestStart);
            bestStart = space < 0 ? bestStart : space + 1;
        }
        var length = Math.Min(maxLength, clean.Length - bestStart);
        var snippet = clean.Substring(bestStart, length);
        var lastSpace = snippet.LastIndexOf(' ');
        if (bestStart + length < clean.Length && lastSpace > maxLength / 2) snippet = snippet[..lastSpace];
        return (bestStart > 0 ? "…" : "") + snippet + (bestStart + snippet.Length < clean.Length ? "…" : "");
    }
}
