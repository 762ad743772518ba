using TeacherPlatform.Ai.Text;

namespace TeacherPlatform.UnitTests.Ingestion;

public sealed class SentenceSplitterTests
{
    private static string[] Split(string text) =>
        SentenceSplitter.Split(text, 0, text.Length).Select(r => text[r.Start..r.End]).ToArray();

    [Fact]
    public void Abbreviations_initials_and_decimals_do_not_end_sentences()
    {
        var sentences = Split("Dr. Lee plays Op. 28 No. 4 by F. Chopin, e.g. in recitals. It lasts 2.5 minutes (approx. 150 bars). Really? \"Yes!\" she said.");

        Assert.Equal(
        [
            "Dr. Lee plays Op. 28 No. 4 by F. Chopin, e.g. in recitals.",
            "It lasts 2.5 minutes (approx. 150 bars).",
            "Really?",
            "\"Yes!\" she said.",
        ], sentences);
    }

    [Fact]
    public void Lower_case_after_a_period_continues_the_sentence_and_trailing_text_is_kept()
    {
        Assert.Equal(["Use the wrist, i.e. not the arm, and so on. then continue", "Without a period"],
            Split("Use the wrist, i.e. not the arm, and so on. then continue. Without a period").Select(s => s.TrimEnd('.')).ToArray());
    }
}
