using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Extraction.Html;
using TeacherPlatform.Ingestion.Extraction.Pdf;
using TeacherPlatform.Ingestion.Extraction.Text;
using TeacherPlatform.Ingestion.Extraction.Transcripts;

namespace TeacherPlatform.UnitTests.Ingestion;

public sealed class ExtractorRegistryTests
{
    private static readonly ExtractorRegistry Registry = ExtractorRegistry.CreateDefault();

    [Theory]
    [InlineData("pdf", "a.pdf", null, "%PDF-1.7", typeof(PdfTextExtractor))]
    [InlineData("text", "a.pdf", null, "%PDF-1.7", typeof(PdfTextExtractor))]
    [InlineData("web", null, "text/html; charset=utf-8", "<html>", typeof(HtmlTextExtractor))]
    [InlineData("web", "page.txt", null, "hello", typeof(PlainTextExtractor))]
    [InlineData("text", "page.htm", null, "<html>", typeof(HtmlTextExtractor))]
    [InlineData("video", "lesson.vtt", null, "WEBVTT", typeof(TranscriptExtractor))]
    [InlineData("video", "lesson.srt", null, "1", typeof(TranscriptExtractor))]
    [InlineData("video", null, null, "WEBVTT", typeof(TranscriptExtractor))]
    [InlineData("text", "notes.md", null, "# Notes", typeof(PlainTextExtractor))]
    [InlineData("text", null, null, "notes", typeof(PlainTextExtractor))]
    public void Selects_by_source_type_extension_media_type_and_content(string sourceType, string? file, string? contentType, string head, Type expected)
    {
        var extractor = Registry.Select(new ExtractionContext(sourceType, file, contentType), System.Text.Encoding.UTF8.GetBytes(head));
        Assert.IsType(expected, extractor);
    }

    [Theory]
    [InlineData("video", "lesson.mp4", new byte[] { 0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'m', (byte)'p', (byte)'4', (byte)'2' })]
    [InlineData("web", "page.html", new byte[] { (byte)'%', (byte)'P', (byte)'D', (byte)'F', (byte)'-', (byte)'1' })]
    [InlineData("text", "notes.txt", new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0 })]
    [InlineData("podcast", "notes.txt", new byte[] { (byte)'h', (byte)'i' })]
    public void Refuses_content_that_does_not_fit(string sourceType, string file, byte[] head)
    {
        var ex = Assert.Throws<ExtractionException>(() => Registry.Select(new ExtractionContext(sourceType, file), head));
        Assert.Equal(ExtractionErrorCodes.UnsupportedMediaType, ex.Code);
    }

    [Fact]
    public async Task Empty_text_file_fails_with_no_extractable_text()
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() =>
            Registry.ExtractAsync(new MemoryStream("  \n\n "u8.ToArray()), new ExtractionContext(SourceTypes.Text, "empty.txt"), CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.NoExtractableText, ex.Code);
    }
}
