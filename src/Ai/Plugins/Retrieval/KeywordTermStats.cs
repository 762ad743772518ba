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

    /// <summary>
    /// The plan with the other spellings the corpus uses (<see cref="SearchOptions.KeywordSpellingVariants"/>), then
    /// reduced by <see cref="KeywordQuery.Select"/> once the corpus reaches the selection threshold.
    /// </summary>
    public async Task<KeywordPlan> SelectAsync(DbConnection c, KeywordPlan plan, SearchOptions o, CancellationToken ct)
    {
        var variants = o.KeywordSpellingVariants;
        var select = o.KeywordMaxTerms > 0 && plan.Terms.Count > 0;
        if (!variants) plan = plan with { Variants = [] };
        if (!variants && !select) return plan;
        var state = await CurrentAsync(c, ct);
        select &= state.Count >= o.KeywordSelectionMinChunks;
        if (!variants && !select) return plan;
        await CountAsync(c, state, plan.Terms, ct);
        if (variants) plan = await WithSpellingVariantsAsync(c, state, plan, ct);
        return select ? KeywordQuery.Select(plan, t => state.Df[t], state.Count, o.KeywordMaxTerms, o.KeywordMaxDocFraction) : plan;
    }

    // Keeps the question's other spellings that the corpus contains, and adds the two-word spelling of each closed
    // compound the corpus never writes closed ("keyboard" where the book prints "key-board"): the split whose phrase
    // the most chunks hold, among those whose parts both occur. Every count is cached like the terms'.
    private async Task<KeywordPlan> WithSpellingVariantsAsync(DbConnection c, State state, KeywordPlan plan, CancellationToken ct)
    {
        async Task<long> DfAsync(string term)
        {
            await CountAsync(c, state, [term], ct);
            return state.Df[term];
        }

        var kept = new List<string>();
        foreach (var v in plan.Variants ?? [])
            if (await DfAsync(v) > 0) kept.Add(v);
        foreach (var term in plan.Terms.Where(t => state.Df[t] == 0).Take(KeywordQuery.MaxCompoundTerms))
        {
            (string Phrase, long Df) best = ("", 0);
            foreach (var split in KeywordQuery.CompoundSplits(term))
            {
                // Left part first: most splits of a word fail there, and then cost one lookup.
                var parts = split.Split(' ');
                if (await DfAsync(parts[0]) == 0 || await DfAsync(parts[1]) == 0) continue;
                if (await DfAsync(split) is var df && df > best.Df) best = (split, df);
            }
            if (best.Df > 0) kept.Add(best.Phrase);
        }
        return plan with { Variants = kept.Distinct(StringComparer.Ordinal).ToList() };
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
