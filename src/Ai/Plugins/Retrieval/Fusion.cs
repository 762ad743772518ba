namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// What one ranked list (best first) adds to each of its candidates' fused score. A candidate missing from a list
/// gets nothing from it, which for relative scores equals that list's worst candidate.
/// </summary>
public static class Fusion
{
    /// <summary>Reciprocal Rank Fusion: weight / (k + rank), rank 1 for the first candidate.</summary>
    public static double[] Reciprocal(int count, double weight, double k)
    {
        var c = new double[count];
        for (var i = 0; i < count; i++) c[i] = weight / (k + i + 1);
        return c;
    }

    /// <summary>
    /// Relative score: weight · (score − min) / (max − min) over the list's own candidates, so the best candidate of
    /// each list gets its full weight and the worst none, whatever the scale (cosine, bm25). A list whose candidates
    /// all score alike (one candidate, or ties only) gives each the full weight.
    /// </summary>
    public static double[] RelativeScore(IReadOnlyList<double> scores, double weight)
    {
        var c = new double[scores.Count];
        if (scores.Count == 0) return c;
        var (min, max) = (scores.Min(), scores.Max());
        var range = max - min;
        for (var i = 0; i < c.Length; i++) c[i] = range > 0 ? weight * (scores[i] - min) / range : weight;
        return c;
    }

    /// <summary>The vector and keyword lists' contributions under the configured fusion.</summary>
    public static (double[] Vector, double[] Keyword) Contributions(IReadOnlyList<RankedChunk> vector, IReadOnlyList<RankedChunk> keyword, SearchOptions o) =>
        o.Fusion switch
        {
            FusionMethod.Rrf => (Reciprocal(vector.Count, o.VectorWeight, o.RrfK), Reciprocal(keyword.Count, o.KeywordWeight, o.RrfK)),
            _ => (RelativeScore(vector.Select(v => v.Score).ToList(), 1 - o.RelativeScoreKeywordWeight),
                RelativeScore(keyword.Select(k => k.Score).ToList(), o.RelativeScoreKeywordWeight)),
        };
}
