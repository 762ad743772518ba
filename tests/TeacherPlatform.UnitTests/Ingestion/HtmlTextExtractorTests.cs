using System.Text;
using TeacherPlatform.Ingestion.Extraction;

namespace TeacherPlatform.UnitTests.Ingestion;

public sealed class HtmlTextExtractorTests
{
    private const string Article =
        "Finger independence develops when each finger learns to move without dragging its neighbours along. " +
        "Slow practice with a relaxed wrist lets the student notice tension before it becomes a habit. ";

    private static string Page(string body) => $$"""
        <!DOCTYPE html>
        <html><head><title>Finger Independence for Young Pianists</title>
        <style>body { color: red; }</style><script>var tracking = "SCRIPT-NOISE";</script></head>
        <body>
          <header><div class="logo">PianoSite HEADER-NOISE</div></header>
          <nav><ul><li><a href="/">Home NAV-NOISE</a></li><li><a href="/about">About</a></li></ul></nav>
          {{body}}
          <aside>Related posts ASIDE-NOISE</aside>
          <footer>Copyright 2025 FOOTER-NOISE · <a href="/privacy">Privacy</a></footer>
        </body></html>
        """;

    private static async Task<ExtractedDocument> Extract(string html) =>
        await ExtractorRegistry.CreateDefault().ExtractAsync(new MemoryStream(Encoding.UTF8.GetBytes(html)),
            new ExtractionContext(SourceTypes.Web, ContentType: "text/html", SourceUrl: new Uri("https://example.org/lessons/fingers")),
            CancellationToken.None);

    [Fact]
    public async Task Long_article_keeps_main_content_and_paragraphs_without_page_chrome()
    {
        var paragraphs = string.Concat(Enumerable.Range(1, 6).Select(i => $"<p>Paragraph {i}. {Article}</p>\n"));
        var doc = await Extract(Page($"<main><article><h1>Finger Independence</h1>{paragraphs}</article></main>"));

        AssertMainContentOnly(doc);
        Assert.StartsWith("Paragraph 1. Finger independence develops", doc.Sections[0].Text.Replace("Finger Independence\n\n", ""), StringComparison.Ordinal);
        Assert.Contains("Paragraph 6.", doc.Sections[0].Text, StringComparison.Ordinal);
        Assert.True(doc.Sections[0].Text.Split("\n\n").Length >= 6, "paragraph breaks are kept");
    }

    [Fact]
    public async Task Short_page_falls_back_to_body_minus_navigation()
    {
        var doc = await Extract(Page("<div><h1>Finger Independence</h1><p>Lift each finger slowly.</p><p>Keep the wrist loose.</p></div>"));

        AssertMainContentOnly(doc);
        Assert.Equal("Finger Independence\n\nLift each finger slowly.\n\nKeep the wrist loose.", doc.Sections[0].Text);
    }

    private static void AssertMainContentOnly(ExtractedDocument doc)
    {
        var section = Assert.Single(doc.Sections);
        Assert.Equal(1, section.PageNumber);
        Assert.Equal("Finger Independence for Young Pianists", doc.Title);
        foreach (var noise in new[] { "SCRIPT-NOISE", "HEADER-NOISE", "NAV-NOISE", "ASIDE-NOISE", "FOOTER-NOISE", "color: red" })
            Assert.DoesNotContain(noise, section.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_author_meta_tag_names_the_author_and_a_page_without_one_has_none()
    {
        var withAuthor = await Extract(Page("<main><p>Lift each finger slowly.</p></main>")
            .Replace("<title>", "<meta name=\"author\" content=\" Thomas Tapper \"><title>", StringComparison.Ordinal));
        var without = await Extract(Page("<main><p>Lift each finger slowly.</p></main>"));

        Assert.Equal("Thomas Tapper", withAuthor.Author);
        Assert.Null(without.Author);
    }

    [Fact]
    public async Task Charset_from_content_type_is_honoured()
    {
        var bytes = Encoding.Latin1.GetBytes("<html><head><title>Études</title></head><body><p>Chopin études für Klavier.</p></body></html>");
        var doc = await ExtractorRegistry.CreateDefault().ExtractAsync(new MemoryStream(bytes),
            new ExtractionContext(SourceTypes.Web, ContentType: "text/html; charset=ISO-8859-1"), CancellationToken.None);

        Assert.Equal("Études", doc.Title);
        Assert.Equal("Chopin études für Klavier.", doc.Sections[0].Text);
    }
}
