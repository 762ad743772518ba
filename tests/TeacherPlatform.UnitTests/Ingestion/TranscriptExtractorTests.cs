using System.Text;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Extraction.Transcripts;

namespace TeacherPlatform.UnitTests.Ingestion;

public sealed class TranscriptExtractorTests
{
    private const string Vtt = """
        WEBVTT
        Kind: captions

        NOTE recorded in studio B

        STYLE
        ::cue { color: yellow }

        intro
        00:00:01.000 --> 00:00:04.500 align:start
        <v Anna>Welcome to today's lesson on <c.loud>finger</c> independence.</v>

        00:00:05.000 --> 00:00:09.000
        <v Anna>Place your hand on five keys &amp; relax.

        00:01:02.250 --> 00:01:06.000
        Now lift only the fourth finger.

        01:00:00.000 --> 01:00:03.000
        That is all for <i>today</i>.
        """;

    private const string Srt = """
        1
        00:00:00,500 --> 00:00:03,000
        <i>Good morning</i>, everyone.

        2
        00:00:03,200 --> 00:00:06,000
        {\an8}Today we practise scales
        in contrary motion.

        3
        00:02:10,000 --> 00:02:12,000
        Hands together now.
        """;

    private static Task<ExtractedDocument> Extract(string text, string file, TranscriptSegmentOptions? options = null) =>
        new ExtractorRegistry([new TranscriptExtractor(options)])
            .ExtractAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), new ExtractionContext(SourceTypes.Video, file), CancellationToken.None);

    [Fact]
    public void Parses_vtt_cues_with_hours_and_strips_tags()
    {
        var cues = TranscriptParser.Parse(Vtt);

        Assert.Equal(4, cues.Count);
        Assert.Equal(1.0, cues[0].StartSeconds);
        Assert.Equal(4.5, cues[0].EndSeconds);
        Assert.Equal("Welcome to today's lesson on finger independence.", cues[0].Text);
        Assert.Equal("Place your hand on five keys & relax.", cues[1].Text);
        Assert.Equal(62.25, cues[2].StartSeconds);
        Assert.Equal(3600.0, cues[3].StartSeconds);
        Assert.Equal("That is all for today.", cues[3].Text);
    }

    [Fact]
    public async Task Vtt_cues_merge_into_segments_of_about_a_minute()
    {
        var doc = await Extract(Vtt, "lesson.vtt");

        Assert.Equal([1, 2, 3], doc.Sections.Select(s => s.PageNumber));
        Assert.Equal([1.0, 62.25, 3600.0], doc.Sections.Select(s => s.StartSeconds!.Value));
        Assert.Equal("Welcome to today's lesson on finger independence. Place your hand on five keys & relax.", doc.Sections[0].Text);
    }

    [Fact]
    public async Task Srt_with_commas_multiline_cues_and_overrides()
    {
        var doc = await Extract(Srt, "lesson.srt");

        Assert.Equal(2, doc.Sections.Count);
        Assert.Equal(0.5, doc.Sections[0].StartSeconds);
        Assert.Equal("Good morning, everyone. Today we practise scales in contrary motion.", doc.Sections[0].Text);
        Assert.Equal(130.0, doc.Sections[1].StartSeconds);
        Assert.Equal(2, doc.Sections[1].PageNumber);
    }

    [Fact]
    public async Task Segments_also_close_at_the_character_budget()
    {
        var doc = await Extract(Srt, "lesson.srt", new TranscriptSegmentOptions { MaxSegmentChars = 30 });

        Assert.Equal([0.5, 3.2, 130.0], doc.Sections.Select(s => s.StartSeconds!.Value));
    }

    [Fact]
    public async Task File_without_cues_is_corrupt()
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract("WEBVTT\n\nthis has no timings at all\n", "broken.vtt"));
        Assert.Equal(ExtractionErrorCodes.CorruptFile, ex.Code);
    }
}
