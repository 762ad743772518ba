using System.Text;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.UnitTests.Ingestion;

/// <summary>Hostile documents fail fast, during extraction, with the permanent resource_limits_exceeded code.</summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class ExtractionLimitsTests
{
    private static readonly ExtractionContext PdfContext = new(SourceTypes.Pdf, "bomb.pdf", "application/pdf");
    private static readonly ExtractionContext HtmlContext = new(SourceTypes.Web, "page.html", "text/html");

    private static Task<ExtractedDocument> Extract(byte[] bytes, ExtractionContext ctx, ExtractionLimits? limits = null) =>
        ExtractorRegistry.CreateDefault(new ExtractionOptions { Limits = limits ?? new ExtractionLimits() })
            .ExtractAsync(new MemoryStream(bytes), ctx, CancellationToken.None);

    [Fact]
    public async Task Flate_bomb_pdf_is_refused_before_it_is_inflated()
    {
        var bomb = HostileInputs.FlateBombPdf(1L << 30); // 1 GiB of spaces
        Assert.True(bomb.Length < 2 * 1024 * 1024, $"bomb is {bomb.Length} bytes on the wire");

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(bomb, PdfContext));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(ExtractionErrorCodes.ResourceLimitsExceeded, ex.Code);
        Assert.True(ex.IsPermanent);
        // Counting stops at the budget (256 MB by default) into a 64 KB scratch buffer: nothing near 1 GiB is allocated,
        // and the heap is back where it was.
        Assert.True(allocated < 64L * 1024 * 1024, $"allocated {allocated / (1024 * 1024)} MB while extracting");
        Assert.True(after - before < 16L * 1024 * 1024, $"heap grew by {(after - before) / (1024 * 1024)} MB");
    }

    [Fact]
    public async Task Decompressed_bytes_are_budgeted_across_the_document()
    {
        // 8 MB inflated: fine at the default budget, refused at a 4 MB budget.
        var bytes = HostileInputs.FlateBombPdf(8L << 20);
        var doc = await Extract(bytes, PdfContext);
        Assert.Contains("Hello bomb", doc.Sections[0].Text, StringComparison.Ordinal);

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(bytes, PdfContext, new ExtractionLimits { MaxDecompressedBytes = 4L << 20 }));
        Assert.Equal(ExtractionErrorCodes.ResourceLimitsExceeded, ex.Code);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(5000)]
    public async Task Pdf_nested_deeper_than_the_limit_fails_permanently(int depth)
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(HostileInputs.DeeplyNestedPdf(depth), PdfContext));
        Assert.Equal(ExtractionErrorCodes.ResourceLimitsExceeded, ex.Code);
        Assert.True(ex.IsPermanent);
    }

    [Fact]
    public async Task Pdf_nested_within_the_limit_is_read()
    {
        var doc = await Extract(HostileInputs.DeeplyNestedPdf(20), PdfContext);
        Assert.Contains("Nested", doc.Sections[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_and_text_size_are_limited()
    {
        var pdf = PdfFixtures.Textbook();
        var pages = await Assert.ThrowsAsync<ExtractionException>(() => Extract(pdf, PdfContext, new ExtractionLimits { MaxPages = 3 }));
        Assert.Equal(ExtractionErrorCodes.ResourceLimitsExceeded, pages.Code);

        var chars = await Assert.ThrowsAsync<ExtractionException>(() => Extract(pdf, PdfContext, new ExtractionLimits { MaxExtractedChars = 500 }));
        Assert.Equal(ExtractionErrorCodes.ResourceLimitsExceeded, chars.Code);

        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Scales every day. ", 100)));
        var plain = await Assert.ThrowsAsync<ExtractionException>(() =>
            Extract(text, new ExtractionContext(SourceTypes.Text, "notes.txt"), new ExtractionLimits { MaxExtractedChars = 1000 }));
        Assert.Equal(ExtractionErrorCodes.ResourceLimitsExceeded, plain.Code);
    }

    [Fact]
    public async Task Deeply_nested_html_fails_fast()
    {
        var html = Encoding.UTF8.GetBytes(HostileInputs.DeeplyNestedHtml(100_000));
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(html, HtmlContext));
        Assert.Equal(ExtractionErrorCodes.ResourceLimitsExceeded, ex.Code);
        Assert.Contains("nest", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Html_nested_within_the_limit_is_read()
    {
        var doc = await Extract(Encoding.UTF8.GetBytes(HostileInputs.DeeplyNestedHtml(100)), HtmlContext);
        Assert.Equal("Deep text.", doc.Sections[0].Text);
    }

    [Fact]
    public async Task Large_page_within_the_element_limit_is_extracted_linearly_without_readability()
    {
        // 30,000 spans: above the Readability cut-off (quadratic there), below the element limit.
        var doc = await Extract(Encoding.UTF8.GetBytes(HostileInputs.SiblingSpansHtml(30_000)), HtmlContext);
        Assert.Equal(30_000, doc.Sections[0].Text.Length);
    }

    [Fact]
    public async Task Two_hundred_thousand_sibling_spans_fail_fast()
    {
        var html = Encoding.UTF8.GetBytes(HostileInputs.SiblingSpansHtml(200_000));
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(html, HtmlContext));
        Assert.Equal(ExtractionErrorCodes.ResourceLimitsExceeded, ex.Code);
        Assert.Contains("elements", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2000000:00:00.000")] // overflowed int arithmetic into a negative start_seconds
    [InlineData("99999999999999999999:00:00.000")] // overflowed int.Parse
    [InlineData("101:00:00.000")]
    public async Task Transcript_timestamps_beyond_the_limit_fail_permanently(string timestamp)
    {
        var vtt = $"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFirst line.\n\n{timestamp} --> {timestamp}\nHostile cue.\n";
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(Encoding.UTF8.GetBytes(vtt), new ExtractionContext(SourceTypes.Video, "talk.vtt")));
        Assert.Equal(ExtractionErrorCodes.InvalidTimestamp, ex.Code);
        Assert.True(ex.IsPermanent);
    }

    [Fact]
    public async Task Long_but_plausible_transcript_timestamps_are_kept()
    {
        const string vtt = "WEBVTT\n\n99:59:58.500 --> 99:59:59.000\nThe very end of a long recital.\n";
        var doc = await Extract(Encoding.UTF8.GetBytes(vtt), new ExtractionContext(SourceTypes.Video, "talk.vtt"));
        Assert.Equal(99 * 3600 + 59 * 60 + 58.5, Assert.Single(doc.Sections).StartSeconds);
    }

    [Fact]
    public async Task Unexpected_parser_exceptions_become_a_permanent_generic_error()
    {
        var registry = new ExtractorRegistry([new ThrowingExtractor()]);
        var ex = await Assert.ThrowsAsync<ExtractionException>(() =>
            registry.ExtractAsync(new MemoryStream("text"u8.ToArray()), new ExtractionContext(SourceTypes.Text, "a.txt"), CancellationToken.None));
        Assert.Equal(ExtractionErrorCodes.CorruptFile, ex.Code);
        Assert.True(ex.IsPermanent);
        Assert.DoesNotContain("Arithmetic operation", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extraction_past_its_wall_time_fails_with_resource_limits_exceeded()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var extractor = new BlockingExtractor();
        var registry = new ExtractorRegistry([extractor],
            new ExtractionOptions { Clock = clock, Limits = new ExtractionLimits { MaxExtractionTime = TimeSpan.FromSeconds(30) } });
        var task = registry.ExtractAsync(new MemoryStream("text"u8.ToArray()), new ExtractionContext(SourceTypes.Text, "a.txt"), CancellationToken.None);
        await extractor.Started.Task;
        clock.Advance(TimeSpan.FromSeconds(31));
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => task);
        Assert.Equal(ExtractionErrorCodes.ResourceLimitsExceeded, ex.Code);
    }

    private sealed class ThrowingExtractor : IContentExtractor
    {
        public bool CanExtract(string sourceType, string contentTypeOrExtension) => true;
        public Task<ExtractedDocument> ExtractAsync(Stream content, ExtractionContext ctx, CancellationToken ct) =>
            throw new OverflowException("Arithmetic operation resulted in an overflow.");
    }

    private sealed class BlockingExtractor : IContentExtractor
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool CanExtract(string sourceType, string contentTypeOrExtension) => true;

        public async Task<ExtractedDocument> ExtractAsync(Stream content, ExtractionContext ctx, CancellationToken ct)
        {
            Started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return new ExtractedDocument([]);
        }
    }
}
