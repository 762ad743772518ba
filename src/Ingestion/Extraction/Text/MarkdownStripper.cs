using System.Text;
using System.Text.RegularExpressions;

namespace TeacherPlatform.Ingestion.Extraction.Text;

/// <summary>
/// Light Markdown-to-text: removes markup that would pollute embeddings and keyword search (heading markers, emphasis,
/// link targets, fences) while keeping every word of prose. Not a full CommonMark parser, on purpose.
/// </summary>
public static partial class MarkdownStripper
{
    public static string Strip(string markdown)
    {
        var output = new StringBuilder(markdown.Length);
        foreach (var rawLine in TextDecoding.NormalizeNewlines(markdown).Split('\n'))
        {
            if (Fence().IsMatch(rawLine) || SetextUnderline().IsMatch(rawLine) || HorizontalRule().IsMatch(rawLine)
                || LinkDefinition().IsMatch(rawLine))
            {
                // A rule or underline separates blocks; keep the paragraph break it implies.
                if (!Fence().IsMatch(rawLine)) output.Append('\n');
                continue;
            }

            var line = HeadingMarker().Replace(rawLine, "");
            line = ClosingHashes().Replace(line, "");
            line = BlockQuote().Replace(line, "");
            line = ListMarker().Replace(line, "$1");
            line = Image().Replace(line, "$1");
            line = Link().Replace(line, "$1");
            line = AutoLink().Replace(line, "$1");
            line = InlineCode().Replace(line, "$1");
            line = StrongEmphasis().Replace(line, "$2");
            line = Emphasis().Replace(line, "$2");
            line = Strike().Replace(line, "$1");
            line = HtmlTag().Replace(line, "");
            output.Append(line).Append('\n');
        }

        return output.ToString();
    }

    /// <summary>The first ATX heading, used as a title hint.</summary>
    public static string? FirstHeading(string markdown)
    {
        var match = FirstAtxHeading().Match(markdown);
        return match.Success ? Strip(match.Groups[1].Value).Trim() : null;
    }

    [GeneratedRegex(@"^\s*(```|~~~)")] private static partial Regex Fence();
    [GeneratedRegex(@"^\s*(=+|-+)\s*$")] private static partial Regex SetextUnderline();
    [GeneratedRegex(@"^\s*([*_-])(\s*\1){2,}\s*$")] private static partial Regex HorizontalRule();
    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s+\S+.*$")] private static partial Regex LinkDefinition();
    [GeneratedRegex(@"^\s{0,3}#{1,6}(\s+|$)")] private static partial Regex HeadingMarker();
    [GeneratedRegex(@"\s+#+\s*$")] private static partial Regex ClosingHashes();
    [GeneratedRegex(@"^\s{0,3}(>\s?)+")] private static partial Regex BlockQuote();
    [GeneratedRegex(@"^(\s*)(?:[-*+]|\d{1,9}[.)])\s+")] private static partial Regex ListMarker();
    [GeneratedRegex(@"!\[([^\]]*)\]\([^)]*\)")] private static partial Regex Image();
    [GeneratedRegex(@"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")] private static partial Regex Link();
    [GeneratedRegex(@"<((?:https?|mailto):[^>\s]+)>")] private static partial Regex AutoLink();
    [GeneratedRegex(@"`([^`]+)`")] private static partial Regex InlineCode();
    [GeneratedRegex(@"(\*\*|__)(\S(?:.*?\S)?)\1")] private static partial Regex StrongEmphasis();
    [GeneratedRegex(@"(?<![\w*])([*_])(\S(?:[^*_]*?\S)?)\1(?![\w*])")] private static partial Regex Emphasis();
    [GeneratedRegex(@"~~(\S(?:.*?\S)?)~~")] private static partial Regex Strike();
    [GeneratedRegex(@"</?[a-zA-Z][^>]*>")] private static partial Regex HtmlTag();
    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", RegexOptions.Multiline)] private static partial Regex FirstAtxHeading();
}
