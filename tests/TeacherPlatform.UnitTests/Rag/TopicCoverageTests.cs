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
    [InlineData("How is a piano tuned?", "The tuner tunes each string in turn.", "tune")]
    [InlineData("What does the tuning hammer do?", "He tunes it with a tuning hammer.", "hammer")]
    [InlineData("Which studies build speed?", "Czerny's study in C major builds speed.", "study")]
    [InlineData("How does a pianist practise relaxation?", "Relaxed arms, practised daily.", "relax")]
    public void Question_and_passage_words_meet_in_the_keyword_index_analysis(string question, string passage, string stem)
    {
        // The analysis the document frequencies come from (FTS5 porter): one term per analysed form, found in any inflection.
        var q = TopicCoverage.Parse(question);
        var term = q.Terms.Single(t => KeywordAnalyzer.Term(t) == KeywordAnalyzer.Term(stem));
        var t = TopicCoverage.Measure(q, Stats((term, 2)), [passage], 3);

        Assert.Equal(1, t.Detail.Single(d => d.Term == term).Passage);
    }

    [Fact]
    public void Inflections_of_one_word_are_one_term()
    {
        var terms = TopicCoverage.Terms("How do I tune my piano myself with a tuning hammer?");

        Assert.Equal(["tune", "piano", "hammer"], terms);
    }

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
    public void Pairs_are_adjacent_informative_terms_of_one_clause()
    {
        var q = TopicCoverage.Parse("How do I voice the hammers of my piano with a needle? Tuning, mostly.");

        // "voice the hammers": one word between; "piano with a needle": two; the question mark ends the clause.
        Assert.Equal([("voic", "hammer"), ("hammer", "piano"), ("piano", "needl")], q.Pairs);
    }

    private static readonly string[] PianoPassages =
    [
        "Hammers strike the strings; a good technician regulates the action so that the tone stays even.",
        "To tune the piano the technician turns the pins with a special lever.",
        "Tone production: the hammer felt should be soft; the player shapes the tone with the arm.",
    ];

    [Fact]
    public void Passages_that_only_share_the_words_of_a_compound_subject_have_low_phrase_coverage()
    {
        var q = TopicCoverage.Parse("How do I tune my piano with a tuning hammer?");
        var stats = Stats(("tune", 2), ("piano", 60), ("hammer", 3));

        var apart = TopicCoverage.Measure(q, stats, PianoPassages, 3);
        var together = TopicCoverage.Measure(q, stats, ["He tunes the piano with a tuning hammer, never with pliers."], 3);

        Assert.Equal(1.0, apart.Coverage);            // every word is in the passages...
        Assert.True(apart.PhraseCoverage < 0.25, $"phrase coverage {apart.PhraseCoverage}"); // ...but "tune" and "hammer" never share a passage
        Assert.Equal(0, apart.Pairs!.Single(p => p.Second == "hammer").Distance);
        Assert.True(apart.Pairs!.Single(p => p.Second == "hammer").BothFound);
        Assert.Equal(1.0, together.PhraseCoverage);
        Assert.Equal(1, together.Pairs!.Single(p => p.Second == "hammer").Distance);
    }

    [Fact]
    public void A_pair_with_a_term_missing_from_the_passages_is_left_to_the_coverage_figure()
    {
        var q = TopicCoverage.Parse("How do I replace a broken string?");
        var t = TopicCoverage.Measure(q, Stats(("replace", 2), ("broken", 3), ("string", 8)), ["A broken string buzzes."], 0);

        Assert.False(t.Pairs!.Single(p => p.First == "replac").BothFound);
        Assert.Equal(1.0, t.PhraseCoverage);
        Assert.Null(TopicCoverage.Measure(q, Stats(("replace", 2), ("broken", 3), ("string", 8)), ["Strings, not much else."], 0).PhraseCoverage);
    }

    [Fact]
    public void The_phrase_window_counts_token_positions_in_either_order()
    {
        var q = TopicCoverage.Parse("hammer voicing");
        var stats = Stats(("hammer", 3), ("voicing", 2));
        string[] passage = ["The technician voiced every hammer of the treble."];

        Assert.Equal(1.0, TopicCoverage.Measure(q, stats, passage, 2).PhraseCoverage);
        Assert.Equal(0.0, TopicCoverage.Measure(q, stats, passage, 1).PhraseCoverage);
        Assert.Equal(1.0, TopicCoverage.Measure(q, stats, passage, 0).PhraseCoverage); // 0: anywhere in one passage
    }

    [Fact]
    public void A_question_of_one_term_has_no_phrase_signal()
    {
        var t = TopicCoverage.Measure(TopicCoverage.Parse("What is rubato?"), Stats(("rubato", 2)), Passages, 3);

        Assert.Null(t.PhraseCoverage);
        Assert.Null(t.Pairs);
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

    [Theory]
    [InlineData(0.10, "LOW")]   // shares the question's words, not its compound subject
    [InlineData(0.80, "HIGH")]  // the pairs stand together in the passages
    [InlineData(null, "HIGH")]  // no pair: the rule does not apply
    public void Low_phrase_coverage_makes_an_answer_low_but_keeps_its_sources(double? phrase, string level)
    {
        var o = ConfidenceThresholds(minPhrase: 0.3);
        var a = ConfidenceScorerPlugin.Classify(new EvidenceFigures(0.74, 0.05, 2, true, 0.9, 0, Terms: 4, PhraseCoverage: phrase), o);

        Assert.True(a.HasEvidence);
        Assert.Equal(level, a.Level.ToString());
    }

    [Fact]
    public void The_phrase_rule_is_off_by_default() =>
        Assert.Equal(Confidence.HIGH, ConfidenceScorerPlugin.Classify(
            new EvidenceFigures(0.74, 0.05, 2, true, 0.9, 0, Terms: 4, PhraseCoverage: 0), ConfidenceThresholds(minPhrase: new ConfidenceOptions().MinPhraseCoverage)).Level);

    private static ConfidenceOptions ConfidenceThresholds(double minPhrase) => new()
    {
        EvidenceSimilarity = Options.EvidenceSimilarity, FloorSimilarity = Options.FloorSimilarity, LowSimilarity = Options.LowSimilarity,
        HighSimilarity = Options.HighSimilarity, AgreementForHigh = Options.AgreementForHigh, MarginForHigh = Options.MarginForHigh,
        MinCoverage = Options.MinCoverage, MaxMissing = Options.MaxMissing, CoverageOverridesSimilarity = Options.CoverageOverridesSimilarity,
        MinPhraseCoverage = minPhrase,
    };

    [Fact]
    public void The_topic_signal_never_turns_nothing_relevant_into_evidence()
    {
        var a = ConfidenceScorerPlugin.Classify(new EvidenceFigures(0.45, 0.01, 0, true, 1.0, 0), Options);

        Assert.False(a.HasEvidence);
    }
}
