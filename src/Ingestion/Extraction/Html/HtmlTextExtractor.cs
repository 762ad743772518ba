using System.Net.Http.Headers;
using System.Text;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using SmartReader;
using TeacherPlatform.Ingestion.Extraction.Text;

namespace TeacherPlatform.Ingestion.Extraction.Html;

/// <summary>
/// Web pages: the main article (SmartReader, i.e. Readability), else the body without navigation, header, footer,
/// asides and scripts. The result is ONE section on page 1: web pages have no pages, and a stable "page 1" keeps
/// citations simple; headings survive as their own paragraphs so chunks still split at them.
/// </summary>
public sealed class HtmlTextExtractor : IContentExtractor
{
    /// <summary>Below this, Readability has probably picked a caption or teaser rather than the article.</summary>
    private const int MinArticleChars = 140;

    /// <summary>
    /// Readability's scoring grows with the square of the element count (20,000 elements: seconds; 95,000: half a
    /// minute); pages bigger than this take the body-minus-chrome path, which is linear.
    /// </summary>
    internal const int MaxReadabilityElements = 10_000;

    private static readonly Uri PlaceholderBase = new("https://document.invalid/");

    private static readonly HashSet<string> Formats = new(StringComparer.OrdinalIgnoreCase)
        { ".html", ".htm", ".xhtml", "text/html", "application/xhtml+xml" };

    public bool CanExtract(string sourceType, string contentTypeOrExtension) =>
        Formats.Contains(contentTypeOrExtension) || (contentTypeOrExtension.Length == 0 && sourceType == SourceTypes.Web);

    public async Task<ExtractedDocument> ExtractAsync(Stream content, ExtractionContext ctx, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var budget = ctx.Budget ?? ExtractionBudget.Unlimited();
        var elements = HtmlStructureScanner.Check(bytes, budget);

        // Parse twice because SmartReader mutates the DOM it is given.
        using var forArticle = elements <= MaxReadabilityElements ? await ParseAsync(bytes, ctx.ContentType, ct).ConfigureAwait(false) : null;
        using var forFallback = await ParseAsync(bytes, ctx.ContentType, ct).ConfigureAwait(false);

        var title = TitleOf(forFallback);
        budget.Checkpoint();
        var article = forArticle is null ? null : ArticleText(forArticle, ctx.SourceUrl ?? PlaceholderBase, budget);
        var text = article ?? BodyText(forFallback, budget);
        budget.ChargeText(text.Length);
        var author = ExtractedDocument.Metadata(forFallback.QuerySelector("meta[name=author]")?.GetAttribute("content"));
        return new ExtractedDocument([new ExtractedSection(1, PlainTextExtractor.TidyWhitespace(text))], title, author);
    }

    /// <summary>
    /// An HTTP charset wins over the markup's guess (as in browsers); without one AngleSharp honours BOMs and &lt;meta charset&gt;.
    /// </summary>
    private static async Task<IHtmlDocument> ParseAsync(byte[] bytes, string? contentType, CancellationToken ct)
    {
        var parser = new HtmlParser();
        if (HeaderEncoding(contentType) is { } encoding) return await parser.ParseDocumentAsync(encoding.GetString(bytes), ct).ConfigureAwait(false);
        return await parser.ParseDocumentAsync(new MemoryStream(bytes, writable: false), ct).ConfigureAwait(false);
    }

    private static Encoding? HeaderEncoding(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var header) || string.IsNullOrEmpty(header.CharSet)) return null;
        try
        {
            return Encoding.GetEncoding(header.CharSet.Trim('"'));
        }
        catch (ArgumentException)
        {
            return null; // unknown charset name: let the parser sniff
        }
    }

    private static string? ArticleText(IHtmlDocument document, Uri baseUrl, ExtractionBudget budget)
    {
        Article article;
        try
        {
            article = new Reader(baseUrl.ToString(), document).GetArticle();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null; // Readability heuristics can fail on odd markup; the body fallback still works.
        }

        if (!article.IsReadable || string.IsNullOrWhiteSpace(article.Content)) return null;
        budget.Checkpoint();
        var fragment = new HtmlParser().ParseDocument($"<html><body>{article.Content}</body></html>");
        var text = HtmlToText.Convert(fragment.Body!, skipChrome: false, budget);
        return text.Length >= MinArticleChars ? text : null;
    }

    private static string BodyText(IHtmlDocument document, ExtractionBudget budget)
    {
        // <main>/<article> are explicit author statements of where the content is.
        var root = (AngleSharp.Dom.INode?)document.QuerySelector("main, [role=main]") ?? document.QuerySelector("article")
                   ?? (AngleSharp.Dom.INode?)document.Body ?? document;
        return HtmlToText.Convert(root, skipChrome: true, budget);
    }

    private static string? TitleOf(IHtmlDocument document)
    {
        var title = document.Title?.Trim();
        if (!string.IsNullOrEmpty(title)) return title;
        var h1 = document.QuerySelector("h1")?.TextContent.Trim();
        return string.IsNullOrEmpty(h1) ? null : h1;
    }
}
