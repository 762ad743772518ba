using TeacherPlatform.Evals.Commands;
using UglyToad.PdfPig;

namespace TeacherPlatform.Evals.Tests;

public class EdgeBenchPdfTests
{
    [Fact]
    public void Generated_pdf_reaches_the_requested_size_and_opens_with_the_reported_page_count()
    {
        const long target = 512 * 1024;
        var (bytes, pages) = EdgeBenchCommand.BuildPdf(target);

        Assert.InRange(bytes.Length, (long)(target * 0.95), target * 2);
        using var doc = PdfDocument.Open(bytes);
        Assert.Equal(pages, doc.NumberOfPages);
        Assert.Contains($"page {pages}", doc.GetPage(pages).Text, StringComparison.Ordinal);
    }
}
