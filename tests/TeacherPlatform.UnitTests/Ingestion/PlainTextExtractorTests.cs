using System.Text;
using TeacherPlatform.Ingestion.Extraction;

namespace TeacherPlatform.UnitTests.Ingestion;

public sealed class PlainTextExtractorTests
{
    private static Task<ExtractedDocument> Extract(string text, string file) =>
        ExtractorRegistry.CreateDefault().ExtractAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)),
            new ExtractionContext(SourceTypes.Text, file), CancellationToken.None);

    [Fact]
    public async Task Markdown_is_stripped_to_prose()
    {
        const string md = """
            # Warm-up routine

            Start with **five-finger** patterns and _slow_ scales; see [the scale guide](https://example.org/scales).

            - Keep the `wrist` level
            - ![diagram](hand.png) Curve the fingers

            ---
            Use my_snake_case notes as written.
            """;

        var doc = await Extract(md, "warmup.md");

        Assert.Equal("Warm-up routine", doc.Title);
        Assert.Equal(
            "Warm-up routine\n\nStart with five-finger patterns and slow scales; see the scale guide.\n\nKeep the wrist level\ndiagram Curve the fingers\n\nUse my_snake_case notes as written.",
            Assert.Single(doc.Sections).Text);
    }

    [Fact]
    public async Task Plain_text_keeps_markup_characters_and_normalises_newlines()
    {
        var doc = await Extract("Line one *not emphasis*\r\n\r\n\r\n\r\nLine two   \r\n", "notes.txt");

        var section = Assert.Single(doc.Sections);
        Assert.Equal(1, section.PageNumber);
        Assert.Equal("Line one *not emphasis*\n\nLine two", section.Text);
    }
}
