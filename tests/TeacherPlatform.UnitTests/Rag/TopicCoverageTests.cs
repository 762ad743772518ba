using TeacherPlatform.Ai.Plugins;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.UnitTests.Rag;

/// <summary>The topic signal of the confidence scorer: are the question's informative terms in the top passages, in the corpus at all?</summary>
public sealed class TopicCoverageTests
{
    private static readonly string[] Passages =
    [
        "Practise octaves slowly at first, with a loose wrist; the arm should never stiffen while the hand rebounds.",
        "The student who listens to every tone of a scale learns to hear the weak fingers and to strengthen them.",
        "A sonata is built from themes that return: exposition, development and recapitulation.",
    ];

    private static TermStatistics Stats(params (string Term, long Df)[] df) =>
        new(150, df.ToDictionary(d => d.Term, d => d.Df, StringComparer.Ordinal));

    [Theory]
    [InlineData("octaves", "octave")]
    [InlineData("tuning", "tuned")]
    [InlineData("hammers", "hammer")]
    [InlineData("practising", "practised")]
    [InlineData("studies", "study")]
    [InlineData("fingers", "finger")]
    public void The_stemmer_joins_inflections_of_one_word(string a, string b) =>
        Assert.Equal(TopicCoverage.Stem(a), TopicCoverage.Stem(b));

    [Fact]
    public void Function_words_and_chat_framing_are_not_terms()
    {
        var terms = TopicCoverage.Terms("My teacher says that before the recital I should practise octaves over and over, what does the book say?");

        Assert.Equal(["teacher", "recital", "practise", "octaves"], terms);
    }

    [Fact]
    public void A_question_whose_terms_are_in_the_top_passages_is_covered()
    {
        var terms = TopicCoverage.Terms("How should I practise octaves and not stiffen my wrist?");
        var t = TopicCoverage.Measure(terms, Stats(("practise", 12), ("octaves", 3), ("stiffen", 2), ("wrist", 4)), Passages);

        Assert.Equal(1.0, t.Coverage);
        Assert.Equal(0.0, t.Missing);
        Assert.All(t.Detail, d => Assert.Equal(1, d.Passage));
    }

    [Fact]
    public void Terms_the_corpus_lacks_weigh_most_and_count_as_missing()
    {
        // "Suzuki" and "method" are in no chunk, and the passages hold none of the other words either.
        var terms = TopicCoverage.Terms("What is the Suzuki method, and at what age can children start it?");
        var t = TopicCoverage.Measure(terms, Stats(("suzuki", 0), ("method", 0), ("age", 1), ("children", 60), ("start", 3)), Passages);

        Assert.True(t.Coverage < 0.1, $"coverage {t.Coverage}");
        Assert.True(t.Missing > 0.5, $"missing {t.Missing}");
        Assert.Equal(0, t.Detail.Single(d => d.Term == "suzuki").Passage);
        Assert.True(TopicCoverage.Idf(0, 150) > TopicCoverage.Idf(60, 150));
    }

    [Fact]
    public void A_rare_term_found_counts_more_than_a_common_one_missed()
    {
        var terms = TopicCoverage.Terms("weak fingers scale exercise");
        var t = TopicCoverage.Measure(terms, Stats(("weak", 3), ("fingers", 20), ("scale", 10), ("exercise", 140)), Passages);

        Assert.Equal(0, t.Detail.Single(d => d.Term == "exercise").Passage);
        Assert.True(t.Coverage > 0.9, $"coverage {t.Coverage}");
    }

    [Fact]
    public void A_question_without_informative_terms_is_neutral() =>
        Assert.Same(TopicEvidence.None, TopicCoverage.Measure(TopicCoverage.Terms("what is it?"), Stats(), Passages));

    private static readonly ConfidenceOptions Options = new()
    {
        EvidenceSimilarity = 0.50, FloorSimilarity = 0.64, LowSimilarity = 0.68, HighSimilarity = 0.64, AgreementForHigh = 1, MarginForHigh = 0,
        MinCoverage = 0.35, MaxMissing = 0.55, CoverageForHigh = 0, CoverageOverridesSimilarity = 0.40,
    };

    [Theory]
    [InlineData(0.20, 0.40, "LOW")]    // similar passages about something else (bench height, Op. 111)
    [InlineData(0.50, 0.60, "LOW")]    // most of the subject is in no chunk of the corpus
    [InlineData(0.60, 0.10, "HIGH")]   // on topic
    public void Off_topic_passages_make_a_similar_answer_low_but_keep_its_sources(double coverage, double missing, string level)
    {
        var a = ConfidenceScorerPlugin.Classify(new EvidenceFigures(0.74, 0.05, 2, true, coverage, missing), Options);

        Assert.True(a.HasEvidence);
        Assert.Equal(level, a.Level.ToString());
    }

    [Fact]
    public void A_short_question_on_topic_is_not_low_for_its_similarity_alone()
    {
        var onTopic = ConfidenceScorerPlugin.Classify(new EvidenceFigures(0.58, 0.02, 0, true, 0.8, 0, Terms: 4), Options);
        var partly = ConfidenceScorerPlugin.Classify(new EvidenceFigures(0.58, 0.02, 0, true, 0.8, 0.1, Terms: 4), Options);
        var fragment = ConfidenceScorerPlugin.Classify(new EvidenceFigures(0.58, 0.02, 0, true, 1.0, 0, Terms: 2), Options);

        Assert.Equal(Confidence.MEDIUM, onTopic.Level);
        Assert.Equal(Confidence.LOW, partly.Level);
        Assert.Equal(Confidence.LOW, fragment.Level);
    }

    [Fact]
    public void The_topic_signal_never_turns_nothing_relevant_into_evidence()
    {
        var a = ConfidenceScorerPlugin.Classify(new EvidenceFigures(0.45, 0.01, 0, true, 1.0, 0), Options);

        Assert.False(a.HasEvidence);
    }
}
