using System.Text;
using TeacherPlatform.Ingestion.Extraction;

namespace TeacherPlatform.UnitTests.Ingestion;

public sealed class PdfTextExtractorTests
{
    private static readonly ExtractorRegistry Registry = ExtractorRegistry.CreateDefault();
    private static readonly ExtractionContext PdfContext = new(SourceTypes.Pdf, "chapter2.pdf", "application/pdf");

    private static Task<ExtractedDocument> Extract(byte[] bytes, ExtractionContext? ctx = null) =>
        Registry.ExtractAsync(new MemoryStream(bytes), ctx ?? PdfContext, CancellationToken.None);

    [Fact]
    public async Task Extracts_one_section_per_page_with_page_numbers()
    {
        var doc = await Extract(PdfFixtures.Textbook());

        Assert.Equal([1, 2, 3, 4], doc.Sections.Select(s => s.PageNumber));
        Assert.All(doc.Sections, s => Assert.Null(s.StartSeconds));
        var withPhrase = Assert.Single(doc.Sections, s => s.Text.Contains(PdfFixtures.PageThreePhrase, StringComparison.Ordinal));
        Assert.Equal(3, withPhrase.PageNumber);
    }

    [Fact]
    public async Task Reads_the_title_and_author_from_the_document_information()
    {
        var doc = await Extract(PdfFixtures.Textbook(title: "Music Talks with Children", author: "Thomas Tapper"));
        var bare = await Extract(PdfFixtures.Textbook());

        Assert.Equal(("Music Talks with Children", "Thomas Tapper"), (doc.Title, doc.Author));
        Assert.Equal((null, null), (bare.Title, bare.Author));
    }

    [Fact]
    public async Task A_declared_author_of_megabytes_is_cut_to_a_few_words()
    {
        var author = string.Concat(Enumerable.Repeat("Thomas  Tapper ", 100_000));
        var doc = await Extract(PdfFixtures.Textbook(author: author));

        Assert.InRange(doc.Author!.Length, 150, ExtractedDocument.MaxMetadataLength);
        Assert.StartsWith("Thomas Tapper Thomas Tapper", doc.Author, StringComparison.Ordinal);
        Assert.EndsWith("Tapper", doc.Author, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drops_repeated_header_and_page_number_footer()
    {
        var doc = await Extract(PdfFixtures.Textbook());

        Assert.All(doc.Sections, s =>
        {
            Assert.DoesNotContain("Piano Pedagogy", s.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("Page ", s.Text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Keeps_headers_of_short_documents_where_repetition_proves_nothing()
    {
        var doc = await Extract(PdfFixtures.Textbook(pageCount: 2));

        Assert.All(doc.Sections, s => Assert.StartsWith(PdfFixtures.Header, s.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Joins_line_end_hyphenation_but_keeps_compounds_before_capitals()
    {
        var doc = await Extract(PdfFixtures.Textbook());
        var text = string.Join("\n\n", doc.Sections.Select(s => s.Text));

        Assert.Contains("build independence between the hands", text, StringComparison.Ordinal);
        Assert.DoesNotContain("inde-", text, StringComparison.Ordinal);
        Assert.Contains("The Czerny-Germer method", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keeps_paragraph_breaks_and_reflows_lines_within_a_paragraph()
    {
        var doc = await Extract(PdfFixtures.Textbook());
        var page1 = doc.Sections[0].Text;

        var paragraphs = page1.Split("\n\n");
        Assert.Equal(2, paragraphs.Length);
        Assert.StartsWith("Finger independence is the foundation", paragraphs[0], StringComparison.Ordinal);
        Assert.EndsWith("between the fingers.", paragraphs[0], StringComparison.Ordinal);
        Assert.DoesNotContain('\n', paragraphs[0]);
        Assert.StartsWith("Begin slowly", paragraphs[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_without_text_fails_with_no_extractable_text()
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(PdfFixtures.WithoutText()));
        Assert.Equal(ExtractionErrorCodes.NoExtractableText, ex.Code);
    }

    [Fact]
    public async Task Truncated_pdf_fails_with_corrupt_file()
    {
        var bytes = PdfFixtures.Textbook();
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(bytes[..(bytes.Length / 2)]));
        Assert.Equal(ExtractionErrorCodes.CorruptFile, ex.Code);
    }

    [Fact]
    public async Task Pdf_with_garbage_body_fails_with_corrupt_file()
    {
        var bytes = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nthis is not a pdf body\n%%EOF\n");
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(bytes));
        Assert.Equal(ExtractionErrorCodes.CorruptFile, ex.Code);
    }

    [Fact]
    public async Task Png_named_pdf_fails_with_unsupported_media_type()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(png));
        Assert.Equal(ExtractionErrorCodes.UnsupportedMediaType, ex.Code);
    }

    [Fact]
    public async Task Text_named_pdf_fails_with_unsupported_media_type()
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract("just some text"u8.ToArray()));
        Assert.Equal(ExtractionErrorCodes.UnsupportedMediaType, ex.Code);
    }

    [Fact]
    public async Task Oversized_input_fails_with_too_large()
    {
        var registry = ExtractorRegistry.CreateDefault(new ExtractionOptions { MaxBytes = 1024 });
        var ex = await Assert.ThrowsAsync<ExtractionException>(() =>
            registry.ExtractAsync(new MemoryStream(PdfFixtures.Textbook()), PdfContext, CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.TooLarge, ex.Code);
    }
}
