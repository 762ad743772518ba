using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.UnitTests.Retrieval;

public sealed class FusionTests
{
    [Fact]
    public void Reciprocal_rank_fusion_gives_weight_over_k_plus_rank()
    {
        Assert.Equal([2.0 / 41, 2.0 / 42, 2.0 / 43], Fusion.Reciprocal(3, 2.0, 40));
        Assert.Empty(Fusion.Reciprocal(0, 1.0, 40));
    }

    [Fact]
    public void Relative_score_maps_a_list_from_its_worst_to_its_best_candidate_onto_zero_to_the_weight()
    {
        var c = Fusion.RelativeScore([25.0, 15.0, 5.0], 0.65);

        Assert.Equal(0.65, c[0], 12);
        Assert.Equal(0.325, c[1], 12);
        Assert.Equal(0.0, c[2], 12);
        // Scale-free: cosine similarities give the same shares as bm25 scores with the same spacing.
        var cosine = Fusion.RelativeScore([0.85, 0.80, 0.75], 0.65);
        for (var i = 0; i < c.Length; i++) Assert.Equal(c[i], cosine[i], 12);
    }

    [Fact]
    public void A_list_whose_candidates_all_score_alike_gives_each_the_full_weight()
    {
        Assert.Equal([0.35], Fusion.RelativeScore([0.7], 0.35));
        Assert.Equal([0.35, 0.35], Fusion.RelativeScore([3.0, 3.0], 0.35));
        Assert.Empty(Fusion.RelativeScore([], 0.35));
    }

    // A: far ahead in bm25, 4th of five close cosines; B: first in vector, a distant second in bm25.
    private static readonly RankedChunk[] Vector = [new(2, 0.80), new(3, 0.79), new(4, 0.785), new(1, 0.78), new(5, 0.60)];
    private static readonly RankedChunk[] Keyword = [new(1, 25), new(2, 12), new(6, 11), new(7, 10), new(8, 2)];

    private static Dictionary<long, double> Fuse(SearchOptions o)
    {
        var (v, k) = Fusion.Contributions(Vector, Keyword, o);
        var fused = new Dictionary<long, double>();
        for (var i = 0; i < Vector.Length; i++) fused[Vector[i].Seq] = fused.GetValueOrDefault(Vector[i].Seq) + v[i];
        for (var i = 0; i < Keyword.Length; i++) fused[Keyword[i].Seq] = fused.GetValueOrDefault(Keyword[i].Seq) + k[i];
        return fused;
    }

    [Fact]
    public void Relative_score_fusion_keeps_a_clear_keyword_winner_on_top_where_rank_fusion_does_not()
    {
        var relative = Fuse(new SearchOptions());
        var rrf = Fuse(new SearchOptions { Fusion = FusionMethod.Rrf });

        Assert.Equal(FusionMethod.RelativeScore, new SearchOptions().Fusion);
        Assert.Equal(0.35 * 0.9 + 0.65 * 1.0, relative[1], 12);
        Assert.Equal(0.35 * 1.0 + 0.65 * (10.0 / 23), relative[2], 12);
        Assert.Equal(1L, relative.MaxBy(f => f.Value).Key);
        Assert.Equal(1.0 / 44 + 1.0 / 41, rrf[1], 12);
        Assert.Equal(1.0 / 41 + 1.0 / 42, rrf[2], 12);
        Assert.Equal(2L, rrf.MaxBy(f => f.Value).Key);
        // Missing from a list = that list's worst candidate: nothing from it.
        Assert.Equal(0.65 * (9.0 / 23), relative[6], 12);
        Assert.Equal(0.35 * (0.19 / 0.2), relative[3], 12);
    }

    [Theory]
    [InlineData(0.0, 2L)] // vector only: the best cosine
    [InlineData(1.0, 1L)] // keyword only: the best bm25
    public void The_keyword_weight_moves_between_the_two_lists(double keywordWeight, long expectedBest)
    {
        var fused = Fuse(new SearchOptions { RelativeScoreKeywordWeight = keywordWeight });

        var best = fused.OrderByDescending(f => f.Value).ThenBy(f => f.Key).First();
        Assert.Equal(expectedBest, best.Key);
        Assert.Equal(1.0, best.Value, 12);
    }
}
