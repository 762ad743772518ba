using System.Text;
using AngleSharp.Dom;

namespace TeacherPlatform.Ingestion.Extraction.Html;

/// <summary>
/// DOM to plain text with paragraph breaks (blank lines) at block elements, so the partitioner can split on them.
/// </summary>
internal sealed class HtmlToText
{
    private static readonly HashSet<string> AlwaysSkipped = new(StringComparer.OrdinalIgnoreCase)
        { "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "head", "button", "select", "input", "textarea" };

    /// <summary>Page chrome: only dropped when we extract the whole body ourselves (SmartReader already removed it).</summary>
    internal static readonly HashSet<string> Chrome = new(StringComparer.OrdinalIgnoreCase)
        { "nav", "header", "footer", "aside", "form", "menu", "dialog" };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead",
        "tbody", "tr", "blockquote", "pre", "figure", "figcaption", "dl", "dt", "dd", "hr", "address", "details", "summary",
        "caption", "body",
    };

    private readonly StringBuilder _out = new();
    private readonly bool _skipChrome;
    private readonly ExtractionBudget? _budget;
    private int _pendingNewlines;
    private int _visited;

    private HtmlToText(bool skipChrome, ExtractionBudget? budget) => (_skipChrome, _budget) = (skipChrome, budget);

    public static string Convert(INode root, bool skipChrome, ExtractionBudget? budget = null)
    {
        var converter = new HtmlToText(skipChrome, budget);
        converter.Visit(root, preformatted: false);
        return converter._out.ToString().Trim();
    }

    private void Visit(INode node, bool preformatted)
    {
        if (_budget is not null && (++_visited & 0x3FF) == 0)
        {
            _budget.Checkpoint();
            if (_out.Length > _budget.Limits.MaxExtractedChars)
                throw _budget.Fail($"The page has more than {_budget.Limits.MaxExtractedChars:N0} characters of text.");
        }

        switch (node)
        {
            case IText text:
                AppendText(text.Data, preformatted);
                return;
            case IElement element:
                var name = element.LocalName;
                if (AlwaysSkipped.Contains(name) || (_skipChrome && (Chrome.Contains(name) || IsHiddenOrNavigation(element)))) return;
                if (name == "br") { Break(1); return; }
                var isBlock = Blocks.Contains(name);
                if (isBlock) Break(name is "li" or "tr" or "dt" or "dd" ? 1 : 2);
                else if (name is "td" or "th" && _out.Length > 0 && _pendingNewlines == 0) _out.Append(' ');
                foreach (var child in element.ChildNodes) Visit(child, preformatted || name == "pre");
                if (isBlock) Break(name is "li" or "tr" or "dt" or "dd" ? 1 : 2);
                return;
            default:
                foreach (var child in node.ChildNodes) Visit(child, preformatted);
                return;
        }
    }

    private static bool IsHiddenOrNavigation(IElement element) =>
        element.HasAttribute("hidden")
        || element.GetAttribute("aria-hidden") == "true"
        || element.GetAttribute("role") is "navigation" or "banner" or "contentinfo" or "complementary";

    private void Break(int newlines) => _pendingNewlines = Math.Max(_pendingNewlines, newlines);

    private void AppendText(string data, bool preformatted)
    {
        if (preformatted)
        {
            FlushBreaks();
            _out.Append(data.Replace("\r\n", "\n", StringComparison.Ordinal));
            return;
        }

        var collapsed = string.Join(' ', data.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (collapsed.Length == 0)
        {
            // Whitespace between inline elements still separates words.
            if (data.Length > 0 && _out.Length > 0 && _pendingNewlines == 0 && !char.IsWhiteSpace(_out[^1])) _out.Append(' ');
            return;
        }

        FlushBreaks();
        if (char.IsWhiteSpace(data[0]) && _out.Length > 0 && !char.IsWhiteSpace(_out[^1])) _out.Append(' ');
        _out.Append(collapsed);
        if (char.IsWhiteSpace(data[^1])) _out.Append(' ');
    }

    private void FlushBreaks()
    {
        if (_pendingNewlines == 0) return;
        if (_out.Length > 0)
        {
            while (_out.Length > 0 && _out[^1] is ' ' or '\n') _out.Length--;
            _out.Append('\n', _pendingNewlines);
        }

        _pendingNewlines = 0;
    }
}
