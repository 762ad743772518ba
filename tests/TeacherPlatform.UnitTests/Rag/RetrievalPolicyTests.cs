using TeacherPlatform.Ai.Plugins;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.UnitTests.Rag;

public sealed class RetrievalPolicyTests
{
    [Fact]
    public void Keyword_query_drops_the_chat_framing_of_a_long_student_question()
    {
        var terms = KeywordQuery.Terms("Hi, my teacher keeps saying I should listen during finger exercises but what does the book actually say about it?");

        Assert.Equal(["teacher", "listen", "during", "finger", "exercises"], terms);
    }

    [Fact]
    public void Keyword_query_adds_adjacent_content_words_as_quoted_phrases_for_both_providers()
    {
        const string q = "How do I hear the scale with the inner ear?";

        Assert.Equal(["inner ear"], KeywordQuery.Phrases(q));
        Assert.Equal("\"hear\" OR \"scale\" OR \"inner\" OR \"ear\" OR \"inner ear\"", KeywordQuery.Fts5(q));
        Assert.Equal("hear or scale or inner or ear or \"inner ear\"", KeywordQuery.WebSearch(q));
    }

    [Fact]
    public void Keyword_query_quotes_every_term_so_no_operator_is_injected()
    {
        Assert.Equal("\"near\" OR \"col\" OR \"scale\" OR \"near col\" OR \"col scale\"", KeywordQuery.Fts5("NEAR(col: \"scale\") OR *"));
        Assert.Null(KeywordQuery.Fts5("what is it?"));
    }

    [Fact]
    public void Hyphenated_words_and_numbered_parts_give_their_other_spellings()
    {
        Assert.Equal(["forearm", "keyboard", "chapter 3", "chapter iii", "chapter 4", "chapter iv", "chapter four"],
            KeywordQuery.SpellingVariants("In chapter three the fore-arm and the key\u2010board come up, and in the 4th chapter."));
        Assert.Equal(["lesson xii", "lesson twelve"], KeywordQuery.SpellingVariants("lesson 12"));
        Assert.Equal(["chapter 2", "chapter two"], KeywordQuery.SpellingVariants("What does Chapter II say?"));
        // Roman "i" never: "in this chapter I shall…" is in every book. Numbers beyond 50 and unnamed numbers are left alone.
        Assert.Equal(["chapter 1"], KeywordQuery.SpellingVariants("What is in chapter one?"));
        Assert.Empty(KeywordQuery.SpellingVariants("I play 3 hours, page 51, in chapter 99 of my life."));
        Assert.Empty(KeywordQuery.SpellingVariants("the 123456789012345678901th chapter, chapter 123456789012345678901"));
        // The variants are OR-ed like the question's own words, never as operators.
        Assert.EndsWith(" OR \"chapter 3\" OR \"chapter iii\"", KeywordQuery.Fts5("chapter three"));
    }

    [Fact]
    public void British_and_American_spellings_give_each_other()
    {
        Assert.Equal(["colors", "memorize", "center", "favorite", "theatre", "analyze", "organisation"],
            KeywordQuery.SpellingVariants("Why do my colours sound dull when I memorise the centre of my favourite theater piece? Analyse the organization."));
        // Words that only look alike stay as they are: four, hours, score, and timbre (not timber).
        Assert.Empty(KeywordQuery.SpellingVariants("four hours on a score with a rich timbre"));
    }

    [Fact]
    public void A_closed_compound_is_split_into_parts_of_three_letters_or_more()
    {
        Assert.Equal(["key board", "keyb oard", "keybo ard"], KeywordQuery.CompoundSplits("keyboard"));
        Assert.Empty(KeywordQuery.CompoundSplits("legato"[..5]));
        Assert.Empty(KeywordQuery.CompoundSplits("mp3player"));
        // Each split costs index lookups: long made-up words are not tried.
        Assert.Empty(KeywordQuery.CompoundSplits("pneumonoultramicroscopic"));
    }

    [Fact]
    public void A_quoted_passage_is_searched_as_one_exact_phrase_with_its_stop_words()
    {
        const string q = "My teacher wrote \"play as if in the presence of a master\" on my sheet. What does it refer to?";

        Assert.Equal(["play as if in the presence of a master"], KeywordQuery.Quoted(q));
        Assert.EndsWith(" OR \"play as if in the presence of a master\"", KeywordQuery.Fts5(q));
        Assert.EndsWith(" or \"play as if in the presence of a master\"", KeywordQuery.WebSearch(q));
    }

    [Fact]
    public void Curly_quotes_count_and_a_quote_keeps_only_its_words()
    {
        Assert.Equal(["the teacher s knowledge is not a hammer", "near a b or c"],
            KeywordQuery.Quoted("Why \u201Cthe teacher\u2019s knowledge is not a hammer\u201D, and what of \"NEAR(a b) OR c*\"?"));
        // One word is already a term; an unclosed quote is no passage.
        Assert.Empty(KeywordQuery.Quoted("What does \"legato\" mean?"));
        Assert.Empty(KeywordQuery.Quoted("What does \"legato and staccato mean?"));
    }

    [Fact]
    public void A_question_that_is_only_a_quote_of_stop_words_still_searches_the_quote()
    {
        const string q = "\"to be or not to be\"?";

        Assert.Empty(KeywordQuery.Terms(q));
        Assert.Equal("\"to be or not to be\"", KeywordQuery.Fts5(q));
    }

    private static readonly ConfidenceOptions Thresholds = new()
    {
        EvidenceSimilarity = 0.50, FloorSimilarity = 0.56, LowSimilarity = 0.70, HighSimilarity = 0.66, AgreementForHigh = 1, MarginForHigh = 0.03,
    };

    [Fact]
    public void Nothing_relevant_only_when_similarity_is_low_and_the_retrievers_do_not_agree()
    {
        var none = ConfidenceScorerPlugin.Classify(0.45, 0.01, 0, true, Thresholds);
        var agreed = ConfidenceScorerPlugin.Classify(0.45, 0.01, 1, true, Thresholds);

        Assert.False(none.HasEvidence);
        Assert.Equal(Confidence.LOW, none.Level);
        Assert.True(agreed.HasEvidence);
        Assert.Equal(Confidence.LOW, agreed.Level);
    }

    [Theory]
    [InlineData(0.53, 0.02, 0, "LOW")]     // weak: below the floor, but relevant enough to cite
    [InlineData(0.64, 0.02, 0, "LOW")]     // between floor and low without agreement
    [InlineData(0.64, 0.02, 1, "MEDIUM")]
    [InlineData(0.72, 0.05, 1, "HIGH")]
    [InlineData(0.72, 0.01, 1, "MEDIUM")]  // no clear winner among the passages
    public void Levels_with_evidence(double top, double margin, int agreement, string level)
    {
        var a = ConfidenceScorerPlugin.Classify(top, margin, agreement, true, Thresholds);

        Assert.True(a.HasEvidence);
        Assert.Equal(level, a.Level.ToString());
    }

    [Fact]
    public void A_question_sharing_no_word_with_any_passage_needs_a_clearly_similar_one()
    {
        Assert.False(ConfidenceScorerPlugin.Classify(0.54, 0.02, 0, false, Thresholds).HasEvidence);
        Assert.True(ConfidenceScorerPlugin.Classify(0.60, 0.05, 0, false, Thresholds).HasEvidence);
    }

    [Fact]
    public void No_passages_is_no_evidence()
    {
        var a = ConfidenceScorerPlugin.Assess([], Thresholds);

        Assert.False(a.HasEvidence);
        Assert.Equal(Confidence.LOW, a.Level);
    }
}
