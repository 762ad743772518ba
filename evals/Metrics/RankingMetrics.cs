namespace TeacherPlatform.Evals.Metrics;

/// <summary>
/// Ranking metrics over one ranked list. Relevance is expressed as "groups": a question is answered when every group
/// is covered, and a group is covered by any one of its members (alternatives). A ranked position is mapped to the
/// index of the group it covers, or -1 when it covers none. Each group counts once (the first position covering it),
/// so several chunks from the same relevant page do not inflate recall or DCG.
/// </summary>
public static class RankingMetrics
{
    /// <summary>Fraction of groups covered within the first <paramref name="k"/> positions (0 when there are no groups).</summary>
    public static double RecallAtK(IReadOnlyList<int> groupAtRank, int groupCount, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (groupCount == 0) return 0;
        var covered = new HashSet<int>();
        for (var i = 0; i < Math.Min(k, groupAtRank.Count); i++)
            if (groupAtRank[i] >= 0) covered.Add(groupAtRank[i]);
        return (double)covered.Count / groupCount;
    }

    /// <summary>1 / rank of the first relevant position within <paramref name="k"/>, else 0.</summary>
    public static double ReciprocalRankAtK(IReadOnlyList<int> groupAtRank, int k)
    {
        for (var i = 0; i < Math.Min(k, groupAtRank.Count); i++)
            if (groupAtRank[i] >= 0) return 1.0 / (i + 1);
        return 0;
    }

    /// <summary>Binary nDCG@k with one unit of gain per newly covered group; the ideal ranks all groups first.</summary>
    public static double BinaryNdcgAtK(IReadOnlyList<int> groupAtRank, int groupCount, int k)
    {
        if (groupCount == 0) return 0;
        var seen = new HashSet<int>();
        var gains = new double[Math.Min(k, groupAtRank.Count)];
        for (var i = 0; i < gains.Length; i++)
            gains[i] = groupAtRank[i] >= 0 && seen.Add(groupAtRank[i]) ? 1 : 0;
        return NdcgAtK(gains, Enumerable.Repeat(1.0, groupCount).ToArray(), k);
    }

    /// <summary>
    /// Graded nDCG@k: DCG = Σ gain_i / log2(i + 2) over the ranked gains; IDCG the same over the ideal gains sorted
    /// descending. Linear gains (not 2^rel − 1), as in trec_eval's default.
    /// </summary>
    public static double NdcgAtK(IReadOnlyList<double> rankedGains, IReadOnlyList<double> idealGains, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var idcg = Dcg(idealGains.OrderByDescending(g => g).ToArray(), k);
        return idcg <= 0 ? 0 : Dcg(rankedGains, k) / idcg;
    }

    public static double Dcg(IReadOnlyList<double> gains, int k)
    {
        double sum = 0;
        for (var i = 0; i < Math.Min(k, gains.Count); i++) sum += gains[i] / Math.Log2(i + 2);
        return sum;
    }

    /// <summary>|approximate ∩ exact| / |exact| over the first k of each (ANN recall@k).</summary>
    public static double OverlapRecall(IReadOnlyList<int> approximate, IReadOnlyList<int> exact, int k)
    {
        var truth = exact.Take(k).ToHashSet();
        if (truth.Count == 0) return 1;
        return (double)approximate.Take(k).Count(truth.Contains) / truth.Count;
    }
}
