using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace TeacherPlatform.Tests.Infrastructure;

/// <summary>Real files generated in the tests: multi-page PDFs (PdfPig writer), HTML pages and WebVTT transcripts.</summary>
public static class TestDocuments
{
    /// <summary>A PDF with one paragraph list per page, wrapped to the page width.</summary>
    public static byte[] Pdf(params string[][] pages) => PdfBy(null, pages);

    /// <summary>A PDF whose metadata names its <paramref name="author"/> (the Info dictionary's /Author).</summary>
    public static byte[] PdfBy(string? author, params string[][] pages)
    {
        var builder = new PdfDocumentBuilder();
        if (author is not null) builder.DocumentInformation.Author = author;
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var paragraphs in pages)
        {
            var page = builder.AddPage(PageSize.A4);
            var y = 780.0;
            foreach (var paragraph in paragraphs)
            {
                foreach (var line in Wrap(paragraph, 85))
                {
                    page.AddText(line, 11, new PdfPoint(60, y), font);
                    y -= 14;
                }
                y -= 12;
            }
        }
        return builder.Build();
    }

    /// <summary>A PDF whose pages carry no text at all (what a scanned image PDF looks like to a text extractor).</summary>
    public static byte[] ImageOnlyPdf(int pages = 2)
    {
        var builder = new PdfDocumentBuilder();
        for (var i = 0; i < pages; i++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.DrawRectangle(new PdfPoint(50, 50), 400, 600, 2);
        }
        return builder.Build();
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length + word.Length + 1 > width) { yield return line; line = word; }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        if (line.Length > 0) yield return line;
    }

    public static readonly string[][] PedagogyBook =
    [
        [
            "Chapter one introduces posture at the piano. Sit on the front half of the bench with both feet flat on the floor.",
            "The height of the bench should let the forearms stay level with the keys while the shoulders remain relaxed and low.",
        ],
        [
            "Finger independence grows from slow, deliberate exercises. Hold down four fingers silently while the fifth lifts and plays.",
            "Five-finger patterns in every key, played legato and staccato, train each finger to move without dragging its neighbours.",
        ],
        [
            "Pedalling begins with the syncopated legato pedal: press the damper pedal just after the new chord sounds, never at the same moment.",
            "The quarantined butterfly rotation drill appears only on this page and keeps the sustaining sound clean between harmonies.",
        ],
        [
            "Scales should be practised with a metronome, starting at sixty beats per minute and increasing by four clicks each week.",
            "The thumb passes under the hand smoothly while the wrist stays level and the elbow moves freely.",
        ],
    ];

    public const string Page3Phrase = "quarantined butterfly rotation drill";

    public static string Html(string mainParagraph) => $$"""
        <!DOCTYPE html>
        <html><head><title>Practice tips</title></head>
        <body>
          <header><nav><a href="/">Home</a> | <a href="/shop">Shop pianos</a> | <a href="/login">Login</a></nav></header>
          <main><article>
            <h1>Building a daily practice routine</h1>
            <p>{{mainParagraph}}</p>
            <p>Start every session with five minutes of slow scales, then work on the hardest passage of the week in small sections.</p>
          </article></main>
          <aside>Subscribe to our newsletter for discounts on sheet music.</aside>
          <footer>© 2026 Piano Shop. All rights reserved. Privacy policy.</footer>
        </body></html>
        """;

    public static string Vtt(params (double Start, string Text)[] cues)
    {
        var sb = new System.Text.StringBuilder("WEBVTT\n\n");
        for (var i = 0; i < cues.Length; i++)
        {
            var start = TimeSpan.FromSeconds(cues[i].Start);
            var end = start + TimeSpan.FromSeconds(8);
            sb.Append($"{start:hh\\:mm\\:ss\\.fff} --> {end:hh\\:mm\\:ss\\.fff}\n<v Teacher>{cues[i].Text}\n\n");
        }
        return sb.ToString();
    }
}
