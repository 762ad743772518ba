using TeacherPlatform.Evals.Metrics;

namespace TeacherPlatform.Evals.Tests;

public class TokenF1Tests
{
    [Fact]
    public void Normalisation_lowercases_and_drops_punctuation_articles_and_accents()
    {
        Assert.Equal(["fourth", "finger", "is", "weakest"], TokenF1.Normalize("The fourth finger is, the weakest!"));
        Assert.Equal(["etude", "in", "e", "minor"], TokenF1.Normalize("An Étude in E-minor"));
        Assert.Empty(TokenF1.Normalize("a an the ... !"));
    }

    [Fact]
    public void F1_matches_hand_computation()
    {
        // prediction tokens: [fourth, finger, weakest] ; reference: [fourth, finger, shares, tendon]
        // common = 2; P = 2/3; R = 2/4; F1 = 2PR/(P+R) = (2 * 2/3 * 1/2) / (2/3 + 1/2) = (2/3) / (7/6) = 4/7
        var s = TokenF1.Compute("The fourth finger: weakest.", "fourth finger shares a tendon");
        Assert.Equal(2.0 / 3, s.Precision, 1e-12);
        Assert.Equal(0.5, s.Recall, 1e-12);
        Assert.Equal(4.0 / 7, s.F1, 1e-12);
    }

    [Fact]
    public void F1_counts_repeated_tokens_by_multiplicity()
    {
        // prediction [slow, slow, slow] vs reference [slow, practice]: common = 1 (min count), P = 1/3, R = 1/2, F1 = 0.4
        var s = TokenF1.Compute("slow slow slow", "slow practice");
        Assert.Equal(0.4, s.F1, 1e-12);
    }

    [Fact]
    public void Edge_cases()
    {
        Assert.Equal(1.0, TokenF1.Compute("Yes.", "yes").F1, 1e-12);
        Assert.Equal(0.0, TokenF1.Compute("no", "yes").F1, 1e-12);
        Assert.Equal(0.0, TokenF1.Compute("", "yes").F1, 1e-12);
        Assert.Equal(1.0, TokenF1.Compute("the", "").F1, 1e-12); // both empty after normalisation
    }

    [Fact]
    public void Citation_markers_are_parsed_and_stripped()
    {
        Assert.Equal([1, 2, 3, 5], Citations.Parse("Drop the wrist [1][2]. Roll [1, 3]. See [5]."));
        Assert.Equal([2, 3, 4], Citations.Parse("Ranges [2-4]"));
        // "Drop " + " " + " roll " + " "
        Assert.Equal("Drop   roll  ", Citations.Strip("Drop [1] roll [2,3]"));
    }
}
