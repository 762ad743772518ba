using TeacherPlatform.Ingestion.Extraction;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace TeacherPlatform.UnitTests.Ingestion;

/// <summary>Reading order and paragraphs from the fast content-order layout and from its fallback analysis.</summary>
public sealed class PdfLayoutTests
{
    private static readonly string[] Left = ["Warm up with five-finger", "patterns in every key,", "slowly and evenly."];
    private static readonly string[] Right = ["Then play the study at", "half tempo with a", "metronome set low."];

    private static async Task<string> ExtractText(byte[] pdf) =>
        (await ExtractorRegistry.CreateDefault().ExtractAsync(new MemoryStream(pdf), new ExtractionContext(SourceTypes.Pdf, "a.pdf"), CancellationToken.None))
        .Sections.Single().Text;

    /// <summary>Two columns of one paragraph each; lines are written in <paramref name="order"/> (indices into left+right lines).</summary>
    private static byte[] TwoColumns(IEnumerable<int> order)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        foreach (var i in order)
        {
            var (x, line, row) = i < Left.Length ? (60.0, Left[i], i) : (320.0, Right[i - Left.Length], i - Left.Length);
            page.AddText(line, 11, new PdfPoint(x, 700 - 14 * row), font);
        }

        return builder.Build();
    }

    [Fact]
    public async Task Columns_written_in_reading_order_read_column_by_column()
    {
        var text = await ExtractText(TwoColumns(Enumerable.Range(0, 6)));
        Assert.Equal("Warm up with five-finger patterns in every key, slowly and evenly.\n\nThen play the study at half tempo with a metronome set low.", text);
    }

    [Fact]
    public async Task Content_written_out_of_reading_order_is_still_read_top_to_bottom()
    {
        // Each column written bottom line first: the fast path refuses and the full layout analysis orders the lines.
        var text = await ExtractText(TwoColumns([2, 1, 0, 5, 4, 3]));
        Assert.Equal("Warm up with five-finger patterns in every key, slowly and evenly.\n\nThen play the study at half tempo with a metronome set low.", text);
    }

    [Fact]
    public async Task A_bold_heading_set_close_to_its_paragraph_is_its_own_paragraph()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        page.AddText("1. Finger independence", 12, new PdfPoint(60, 700), bold);
        page.AddText("Each finger presses and releases a key", 11, new PdfPoint(60, 686), regular);
        page.AddText("without dragging its neighbours along.", 11, new PdfPoint(60, 672), regular);

        var text = await ExtractText(builder.Build());
        Assert.Equal("1. Finger independence\n\nEach finger presses and releases a key without dragging its neighbours along.", text);
    }

    [Fact]
    public async Task Bullets_start_their_own_paragraph()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        string[] lines = ["Practise three things:", "• scales in contrary motion;", "• arpeggios over two octaves;", "• one slow study."];
        for (var i = 0; i < lines.Length; i++) page.AddText(lines[i], 11, new PdfPoint(60, 700 - 14 * i), font);

        var text = await ExtractText(builder.Build());
        Assert.Equal("Practise three things:\n\n• scales in contrary motion;\n\n• arpeggios over two octaves;\n\n• one slow study.", text);
    }
}
