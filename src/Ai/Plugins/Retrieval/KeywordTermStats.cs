using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// Document frequencies of query terms, counted by the provider's own full-text match (so stemming is the index's) and
/// cached until the corpus changes: the cache is keyed by the chunk count and the highest chunk seq, read with one cheap
/// statement per query, so an ingest or a delete starts a fresh cache. Bounded: cleared when it holds too many terms.
/// </summary>
public sealed class KeywordTermStats(Func<DbConnection, string, CancellationToken, Task<long>> countDocuments)
{
    private const int MaxCachedTerms = 50_000;
    private sealed record State(long Count, long MaxSeq, ConcurrentDictionary<string, long> Df);
    private State _state = new(-1, -1, new(StringComparer.Ordinal));

    /// <summary>The plan reduced by <see cref="KeywordQuery.Select"/>, or unchanged while the corpus is below the threshold.</summary>
    public async Task<KeywordPlan> SelectAsync(DbConnection c, KeywordPlan plan, SearchOptions o, CancellationToken ct)
    {
        if (plan.Terms.Count == 0 || o.KeywordMaxTerms <= 0) return plan;
        var (count, maxSeq) = await c.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "SELECT count(*), coalesce(max(seq), 0) FROM knowledge_chunks", cancellationToken: ct));
        if (count < o.KeywordSelectionMinChunks) return plan;
        var state = Volatile.Read(ref _state);
        if (state.Count != count || state.MaxSeq != maxSeq || state.Df.Count > MaxCachedTerms)
            Volatile.Write(ref _state, state = new State(count, maxSeq, new(StringComparer.Ordinal)));
        foreach (var t in plan.Terms)
            if (!state.Df.ContainsKey(t)) state.Df[t] = await countDocuments(c, t, ct);
        return KeywordQuery.Select(plan, t => state.Df[t], count, o.KeywordMaxTerms, o.KeywordMaxDocFraction);
    }
}
