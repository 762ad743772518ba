using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace TeacherPlatform.UnitTests.Ingestion;

/// <summary>Real PDFs built with PdfPig's writer, so extraction is tested on genuine content streams.</summary>
internal static class PdfFixtures
{
    public const string Header = "Piano Pedagogy — Chapter 2";
    public const string PageThreePhrase = "arpeggio rotation exercises";

    /// <summary>Body paragraphs per page; each inner array is one paragraph's visual lines.</summary>
    private static readonly string[][][] Body =
    [
        [
            ["Finger independence is the foundation of a clean legato touch at the piano.", "Every student needs daily exercises that build inde-", "pendence between the hands and between the fingers."],
            ["Begin slowly with a metronome and keep the wrist relaxed and level.", "Listen to every note and stop as soon as tension appears in the arm."],
        ],
        [
            ["The Czerny-", "Germer method offers graded studies for the weaker fingers of both hands.", "Practise each study hands separately before putting the hands together."],
            ["Teachers should demonstrate the motion first and then observe the student closely.", "Short daily sessions are better than one long weekly session at the keyboard."],
        ],
        [
            ["Scales and " + PageThreePhrase + " develop the thumb crossing and a smooth forearm.", "Keep the elbow free and let the forearm follow the direction of the hand."],
            ["Record the practice sessions and compare them week by week with the student.", "Progress is easier to hear than to feel while playing the instrument."],
        ],
        [
            ["Pedalling is introduced only when the fingers can already produce a legato line.", "The ear decides when to change the pedal, never the eye on the score."],
            ["Review the previous exercises at the start of each lesson with the student.", "End every lesson with a piece the student enjoys playing for pleasure."],
        ],
    ];

    public static byte[] Textbook(int pageCount = 4, string? title = null, string? author = null)
    {
        var builder = new PdfDocumentBuilder();
        if (title is not null) builder.DocumentInformation.Title = title;
        if (author is not null) builder.DocumentInformation.Author = author;
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        for (var p = 0; p < Math.Min(pageCount, Body.Length); p++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddText(Header, 9, new PdfPoint(72, 800), font);
            var y = 740.0;
            foreach (var paragraph in Body[p])
            {
                foreach (var line in paragraph)
                {
                    page.AddText(line, 11, new PdfPoint(72, y), font);
                    y -= 14;
                }

                y -= 16; // paragraph gap
            }

            page.AddText($"Page {p + 1}", 9, new PdfPoint(290, 40), font);
        }

        return builder.Build();
    }

    /// <summary>Pages with graphics but no text, like a scan without OCR.</summary>
    public static byte[] WithoutText()
    {
        var builder = new PdfDocumentBuilder();
        for (var i = 0; i < 2; i++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.DrawRectangle(new PdfPoint(72, 72), 300, 400, 2);
        }

        return builder.Build();
    }
}
