using TeacherPlatform.Evals.Metrics;

namespace TeacherPlatform.Evals.Tests;

public class RankingMetricsTests
{
    private const double Eps = 1e-9;

    [Fact]
    public void Recall_counts_each_group_once_within_k()
    {
        // Ranks: [miss, g0, g0, g1, miss]; 3 groups.
        int[] ranked = [-1, 0, 0, 1, -1];
        Assert.Equal(0.0, RankingMetrics.RecallAtK(ranked, 3, 1), Eps);
        Assert.Equal(1.0 / 3, RankingMetrics.RecallAtK(ranked, 3, 2), Eps);
        Assert.Equal(1.0 / 3, RankingMetrics.RecallAtK(ranked, 3, 3), Eps);
        Assert.Equal(2.0 / 3, RankingMetrics.RecallAtK(ranked, 3, 5), Eps);
        Assert.Equal(2.0 / 3, RankingMetrics.RecallAtK(ranked, 3, 10), Eps); // k beyond the list
        Assert.Equal(0.0, RankingMetrics.RecallAtK(ranked, 0, 5), Eps);       // no relevant groups
    }

    [Fact]
    public void Reciprocal_rank_is_one_over_the_first_hit_within_k()
    {
        Assert.Equal(0.5, RankingMetrics.ReciprocalRankAtK([-1, 0, 1], 10), Eps);
        Assert.Equal(1.0, RankingMetrics.ReciprocalRankAtK([0], 10), Eps);
        Assert.Equal(0.0, RankingMetrics.ReciprocalRankAtK([-1, -1, -1, 0], 3), Eps);
        Assert.Equal(0.25, RankingMetrics.ReciprocalRankAtK([-1, -1, -1, 0], 10), Eps);
        // MRR over three queries: (1/2 + 1 + 0) / 3 = 0.5
        var mrr = new[] { RankingMetrics.ReciprocalRankAtK([-1, 0], 10), RankingMetrics.ReciprocalRankAtK([0], 10), RankingMetrics.ReciprocalRankAtK([-1], 10) }.Average();
        Assert.Equal(0.5, mrr, Eps);
    }

    [Fact]
    public void Binary_ndcg_matches_hand_computation()
    {
        // One relevant group found at rank 3: DCG = 1/log2(4) = 0.5; IDCG = 1 → 0.5
        Assert.Equal(0.5, RankingMetrics.BinaryNdcgAtK([-1, -1, 0], 1, 10), Eps);
        // Two groups at ranks 1 and 3: DCG = 1 + 0.5 = 1.5; IDCG = 1 + 1/log2(3) = 1.6309297535714575
        Assert.Equal(1.5 / 1.6309297535714575, RankingMetrics.BinaryNdcgAtK([0, -1, 1], 2, 10), 1e-12);
        // Duplicates of a group do not add gain: [g0, g0] with 1 group = 1.0, not > 1
        Assert.Equal(1.0, RankingMetrics.BinaryNdcgAtK([0, 0], 1, 10), Eps);
        // Cut-off: hit at rank 3 outside k = 2 → 0
        Assert.Equal(0.0, RankingMetrics.BinaryNdcgAtK([-1, -1, 0], 1, 2), Eps);
    }

    [Fact]
    public void Graded_ndcg_matches_hand_computation()
    {
        // Gains [3, 2, 3, 0, 1, 2] (the Wikipedia example), k = 6.
        // DCG = 3 + 2/log2(3) + 3/2 + 0 + 1/log2(6) + 2/log2(7) = 6.861126688593501
        // Ideal [3, 3, 2, 2, 1, 0]: IDCG = 3 + 3/log2(3) + 1 + 2/log2(5) + 1/log2(6) = 7.1409951840957
        double[] gains = [3, 2, 3, 0, 1, 2];
        Assert.Equal(6.861126688593501, RankingMetrics.Dcg(gains, 6), 1e-9);
        Assert.Equal(6.861126688593501 / 7.140995184095715, RankingMetrics.NdcgAtK(gains, gains, 6), 1e-9);
        Assert.Equal(0.9608081943360617, RankingMetrics.NdcgAtK(gains, gains, 6), 1e-9);
        // Ideal gains may include relevant items never retrieved: gains [1] vs ideal [2, 1]
        // DCG = 1, IDCG = 2 + 1/log2(3) = 2.6309297535714578 → 0.38009376...
        Assert.Equal(1 / 2.6309297535714578, RankingMetrics.NdcgAtK([1], [1, 2], 10), 1e-12);
    }

    [Fact]
    public void Overlap_recall_is_intersection_over_exact()
    {
        Assert.Equal(0.8, RankingMetrics.OverlapRecall([1, 2, 3, 4, 5, 6, 7, 8, 90, 91], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10), Eps);
        Assert.Equal(1.0, RankingMetrics.OverlapRecall([3, 2, 1], [1, 2, 3], 3), Eps); // order does not matter
    }
}
