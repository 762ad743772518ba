using System.Text.RegularExpressions;
using TeacherPlatform.Ai.Connectors;

namespace TeacherPlatform.UnitTests.Llm;

/// <summary>Extractive answers over text as it comes out of a real book PDF: furniture, page turns, long sentences.</summary>
public sealed partial class ExtractiveAnswerRealTextTests
{
    // A chunk spanning a page turn, as the PDF extractor yields it: the running head of the next page and a sentence
    // broken across the two pages.
    private const string Chunk =
        "making us familiar with the tones about us. But no rule can exceed in importance this one, never to make any music unthinkingly.\n\n" +
        "There are some other tones to which I fear we are prone not to listen. I mean the tones which the piano makes when we play\n\n" +
        "MUSIC TALKS WITH CHILDREN\n\n" +
        "finger-exercises. We think perhaps of the finger motion, which is not all; or we think of nothing, which is very bad.\n\n" +
        "CHAPTER V.\n\nLISTENING.\n\n" +
        "Therefore it must be a rule never to play a tone without listening acutely to it. If in the first days we determine to do this\n\n42";

    private static string Answer(string question, params string[] texts) =>
        ExtractiveAnswerBuilder.Build(question, texts.Select((t, i) => new ExtractiveSource(i + 1, "Book", t)).ToList());

    private static List<string> Sentences(string answer) =>
        Sentence().Matches(answer.Split("\n\n", 2)[1]).Select(m => m.Groups[1].Value.Trim()).ToList();

    [GeneratedRegex(@"(.+?) \[\d+\]")]
    private static partial Regex Sentence();

    [Fact]
    public void Quotes_only_whole_sentences_never_furniture_or_cut_edges()
    {
        var answer = Answer("Should I listen to the tones when I play finger exercises?", Chunk);

        var sentences = Sentences(answer);
        Assert.NotEmpty(sentences);
        Assert.All(sentences, s =>
        {
            Assert.Matches(@"^[""'“(]?[A-Z]", s);
            Assert.Matches(@"[.!?…][""'”)]*$", s);
        });
        Assert.DoesNotContain("MUSIC TALKS", answer);
        Assert.DoesNotContain("CHAPTER", answer);
        Assert.DoesNotContain("making us familiar", answer);           // cut at the chunk start
        Assert.DoesNotContain("If in the first days we determine", answer); // cut at the chunk end
    }

    [Fact]
    public void Rejoins_a_sentence_broken_by_a_page_turn_and_puts_the_most_relevant_first()
    {
        var answer = Answer("Should I listen to the tones when I play finger exercises?", Chunk);

        Assert.Contains("I mean the tones which the piano makes when we play finger-exercises. [1]", answer);
        // The sentence sharing most of the question's rarer words leads; the rule about listening follows.
        Assert.Contains("finger-exercises", Sentences(answer)[0]);
        Assert.Contains("Therefore it must be a rule never to play a tone without listening acutely to it. [1]", answer);
    }

    [Fact]
    public void Answers_stay_short_and_each_sentence_is_cited_once()
    {
        var longText = string.Join(" ", Enumerable.Range(1, 12).Select(i =>
            $"Scales practised slowly with a relaxed hand build even fingers, as lesson {i} shows with a new fingering pattern for the scale."));

        var answer = Answer("How should I practise scales with a relaxed hand?", longText, longText);

        var sentences = Sentences(answer);
        Assert.InRange(sentences.Count, 1, ExtractiveAnswerBuilder.MaxSentences);
        Assert.True(sentences.Sum(s => s.Split(' ').Length) <= ExtractiveAnswerBuilder.MaxAnswerWords);
        Assert.Equal(sentences.Count, sentences.Distinct().Count());
    }

    [Fact]
    public void A_page_or_figure_reference_inside_a_sentence_does_not_cut_it()
    {
        // Jackson, Gymnastics for the Fingers and Wrist (1865): books refer to pages and figures mid-sentence.
        const string text =
            "Even so with the player upon a musical instrument; long continued, rapid movements wear out the muscle and shake the nerves, " +
            "while slow exercises, however vigorously executed, invigorate and strengthen both (see p. 75, note). " +
            "The ligaments of the knuckles are stretched by the cylinders (Fig. 3 bb), and the joints become more moveable.";

        var answer = Answer("Do rapid movements on the instrument wear out the nerves more than slow exercises?", text);

        Assert.Contains("invigorate and strengthen both (see p. 75, note). [1]", answer);
        Assert.DoesNotContain("(see p. [", answer);
        Assert.All(Sentences(answer), s => Assert.Matches(@"[.!?…][""'”)]*$", s));
    }

    [Fact]
    public void A_byline_set_as_a_sentence_is_not_quoted_but_prose_naming_people_is()
    {
        const string text =
            "From WALTER MACFARREN, Professor of Pianoforte in the Royal Academy of Music. " +
            "I have carefully examined the system, and consider it calculated to give strength and flexibility to the fingers of pianists. " +
            "Moscheles, Joachim and Benedict wrote to the author that the exercises strengthen the weak fingers.";

        var answer = Answer("Which professor of piano at the Royal Academy of Music supported the system, and what does it give the fingers?", text);

        Assert.DoesNotContain("From WALTER MACFARREN", answer);
        Assert.Contains("give strength and flexibility to the fingers of pianists. [1]", answer);
        Assert.Contains("Moscheles, Joachim and Benedict wrote to the author", answer);
    }
}
