using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>How many chunks the corpus holds and how many of them contain each term (the index's own match and stemming).</summary>
public sealed record TermStatistics(long Chunks, IReadOnlyDictionary<string, long> DocumentFrequency);

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
        var state = await CurrentAsync(c, ct);
        if (state.Count < o.KeywordSelectionMinChunks) return plan;
        await CountAsync(c, state, plan.Terms, ct);
        return KeywordQuery.Select(plan, t => state.Df[t], state.Count, o.KeywordMaxTerms, o.KeywordMaxDocFraction);
    }

    /// <summary>Corpus size and document frequency of each term, from the same cache as the keyword selection.</summary>
    public async Task<TermStatistics> StatisticsAsync(DbConnection c, IReadOnlyList<string> terms, CancellationToken ct)
    {
        var state = await CurrentAsync(c, ct);
        await CountAsync(c, state, terms, ct);
        return new TermStatistics(state.Count, terms.Distinct(StringComparer.Ordinal).ToDictionary(t => t, t => state.Df[t], StringComparer.Ordinal));
    }

    private async Task<State> CurrentAsync(DbConnection c, CancellationToken ct)
    {
        var (count, maxSeq) = await c.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "SELECT count(*), coalesce(max(seq), 0) FROM knowledge_chunks", cancellationToken: ct));
        var state = Volatile.Read(ref _state);
        if (state.Count != count || state.MaxSeq != maxSeq || state.Df.Count > MaxCachedTerms)
            Volatile.Write(ref _state, state = new State(count, maxSeq, new(StringComparer.Ordinal)));
        return state;
    }

    private async Task CountAsync(DbConnection c, State state, IEnumerable<string> terms, CancellationToken ct)
    {
        foreach (var t in terms)
            if (!state.Df.ContainsKey(t)) state.Df[t] = await countDocuments(c, t, ct);
    }
}
