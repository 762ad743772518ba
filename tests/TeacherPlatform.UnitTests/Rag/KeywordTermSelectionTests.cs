using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.UnitTests.Rag;

/// <summary>Which terms of a long student question the keyword search ORs (issue 10/11: long questions made cheap).</summary>
public sealed class KeywordTermSelectionTests
{
    // A real-length question (35 words) as students write them.
    private const string LongQuestion = "My teacher keeps telling me that my weak fourth finger collapses when I play fast scales and trills, " +
        "so what exercises should I practice every day to build independence and strength in the fingers without tension?";

    // Document frequencies in a 10 000-chunk corpus: piano words are common, the specific ones rare.
    private static readonly Dictionary<string, long> Df = new()
    {
        ["teacher"] = 2_400, ["telling"] = 300, ["weak"] = 410, ["fourth"] = 220, ["finger"] = 6_800, ["collapses"] = 12, ["play"] = 7_900,
        ["fast"] = 900, ["scales"] = 1_500, ["trills"] = 85, ["exercises"] = 1_100, ["practice"] = 5_600, ["every"] = 5_200, ["day"] = 1_300,
        ["build"] = 350, ["independence"] = 40, ["strength"] = 260, ["fingers"] = 4_800, ["without"] = 3_900, ["tension"] = 190,
    };

    private static KeywordPlan Select(string q, int maxTerms = 12, double maxFraction = 0.5) =>
        KeywordQuery.Select(KeywordQuery.Plan(q), t => Df.GetValueOrDefault(t), 10_000, maxTerms, maxFraction);

    [Fact]
    public void A_long_question_keeps_its_rarest_terms_in_question_order()
    {
        var all = KeywordQuery.Plan(LongQuestion);
        Assert.Equal(20, all.Terms.Count);

        var kept = Select(LongQuestion);

        // 4 terms in > half the chunks out (finger, play, practice, every); of the other 16 the 12 rarest, in question order.
        Assert.Equal(["telling", "weak", "fourth", "collapses", "fast", "trills", "exercises", "day", "build", "independence", "strength", "tension"], kept.Terms);
        Assert.DoesNotContain(kept.Phrases, p => p.Contains("finger"));
    }

    [Fact]
    public void Terms_in_more_than_the_fraction_of_chunks_are_dropped_even_when_under_the_cap()
    {
        var kept = Select(LongQuestion, maxTerms: 50);

        Assert.Equal(16, kept.Terms.Count);
        Assert.DoesNotContain("play", kept.Terms);     // 79 % of chunks
        Assert.DoesNotContain("practice", kept.Terms); // 56 %
        Assert.Contains("fingers", kept.Terms);        // 48 %
    }

    [Fact]
    public void Phrases_survive_only_when_both_words_are_kept()
    {
        const string q = "How do weak fingers build strength and independence in fast scales?";
        Assert.Contains("weak fingers", KeywordQuery.Plan(q).Phrases);

        var kept = Select(q, maxTerms: 4);

        Assert.Equal(["weak", "build", "strength", "independence"], kept.Terms);
        Assert.Equal(["build strength"], kept.Phrases);
        Assert.Equal("\"weak\" OR \"build\" OR \"strength\" OR \"independence\" OR \"build strength\"", kept.Fts5());
        Assert.Equal("weak or build or strength or independence or \"build strength\"", kept.WebSearch());
    }

    [Fact]
    public void A_quoted_passage_survives_the_selection_even_when_its_words_are_common()
    {
        const string q = "My teacher says \"play every finger without tension\" before fast scales and trills: what exercises help?";

        var kept = Select(q, maxTerms: 3);

        Assert.DoesNotContain("play", kept.Terms);
        Assert.Equal(["play every finger without tension"], kept.Quoted);
        // Other-spelling candidates ("exercizes") follow; the index keeps only those its corpus holds.
        Assert.Contains(" OR \"play every finger without tension\"", kept.Fts5());
    }

    [Fact]
    public void Terms_no_chunk_contains_are_dropped_and_a_question_of_only_common_words_keeps_its_rarest()
    {
        Assert.Equal(["independence"], Select("zzyzx independence").Terms);
        Assert.Equal(["practice"], Select("play finger practice").Terms);
        Assert.Equal(["zzyzx", "qwxq"], Select("zzyzx qwxq").Terms); // nothing matches: unchanged
    }

    [Fact]
    public void A_short_question_of_informative_words_is_unchanged()
    {
        const string q = "How do I practice trills with my fourth finger?";
        var plan = KeywordQuery.Plan(q);

        var kept = KeywordQuery.Select(plan, t => Df.GetValueOrDefault(t), 100_000, 12, 0.5);

        Assert.Same(plan, kept);
    }
}
