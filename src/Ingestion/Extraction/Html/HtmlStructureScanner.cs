using System.Text;

namespace TeacherPlatform.Ingestion.Extraction.Html;

/// <summary>
/// A linear pass over the markup before any DOM is built: counts elements and tracks nesting so that pathological
/// pages (100,000 nested divs, hundreds of thousands of spans) are refused in milliseconds instead of costing minutes of
/// tree building and Readability scoring, whose cost grows faster than linearly with depth and size. Elements the
/// parser closes implicitly (p, li, td…) and void elements do not count towards depth, so sloppy real pages pass.
/// </summary>
internal static class HtmlStructureScanner
{
    private static readonly HashSet<string> Void = new(StringComparer.Ordinal)
        { "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "keygen", "basefont", "frame" };

    private static readonly HashSet<string> ImplicitlyClosed = new(StringComparer.Ordinal)
        { "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "rb", "rt", "rp", "rtc", "colgroup", "caption" };

    private static readonly HashSet<string> RawText = new(StringComparer.Ordinal)
        { "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript" };

    /// <returns>The number of elements counted.</returns>
    public static int Check(byte[] bytes, ExtractionBudget budget)
    {
        var span = bytes.AsSpan();
        // Tags are ASCII in every encoding the web uses except UTF-16, which is narrowed first.
        if (span.StartsWith([(byte)0xFF, (byte)0xFE])) span = Encoding.UTF8.GetBytes(Encoding.Unicode.GetString(span[2..]));
        else if (span.StartsWith([(byte)0xFE, (byte)0xFF])) span = Encoding.UTF8.GetBytes(Encoding.BigEndianUnicode.GetString(span[2..]));
        return Check(span, budget);
    }

    private static int Check(ReadOnlySpan<byte> s, ExtractionBudget budget)
    {
        var maxDepth = budget.Limits.MaxNestingDepth;
        var maxElements = budget.Limits.MaxHtmlElements;
        int depth = 0, elements = 0, i = 0;
        Span<char> nameBuffer = stackalloc char[16];
        while (i < s.Length)
        {
            var lt = s[i..].IndexOf((byte)'<');
            if (lt < 0) break;
            i += lt + 1;
            if (i >= s.Length) break;

            if (s[i..].StartsWith("!--"u8))
            {
                var end = s[(i + 3)..].IndexOf("-->"u8);
                i = end < 0 ? s.Length : i + 3 + end + 3;
                continue;
            }

            var closing = s[i] == '/';
            if (closing) i++;
            if (i >= s.Length || !IsAsciiLetter(s[i]))
            {
                if (!closing && s[i] is (byte)'!' or (byte)'?') i = SkipTag(s, i);
                continue; // a stray "<" in text
            }

            var nameLength = 0;
            while (i < s.Length && (IsAsciiLetter(s[i]) || s[i] is >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)':'))
            {
                if (nameLength < nameBuffer.Length) nameBuffer[nameLength++] = (char)(s[i] | 0x20);
                i++;
            }

            var name = new string(nameBuffer[..nameLength]);
            var tagEnd = SkipTag(s, i);
            var selfClosing = tagEnd - 2 >= i && s[tagEnd - 2] == '/';
            i = tagEnd;
            if (Void.Contains(name) || ImplicitlyClosed.Contains(name)) { if (!closing) elements++; }
            else if (closing) depth = Math.Max(0, depth - 1);
            else
            {
                elements++;
                if (!selfClosing) depth++;
                if (depth > maxDepth)
                    throw budget.Fail($"The page nests elements deeper than {maxDepth} levels.");
                if (RawText.Contains(name))
                {
                    // Contents are text up to the matching end tag (a "<div>" inside a script is not an element).
                    var end = IndexOfEndTag(s, i, name);
                    i = end < 0 ? s.Length : end;
                }
            }

            if (elements > maxElements)
                throw budget.Fail($"The page has more than {maxElements:N0} elements.");
            if ((elements & 0xFFF) == 0) budget.Checkpoint();
        }

        return elements;
    }

    /// <summary>Index just past the tag's closing "&gt;", skipping quoted attribute values.</summary>
    private static int SkipTag(ReadOnlySpan<byte> s, int i)
    {
        byte quote = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (quote != 0) { if (c == quote) quote = 0; }
            else if (c is (byte)'"' or (byte)'\'') quote = c;
            else if (c == '>') return i + 1;
        }

        return s.Length;
    }

    private static int IndexOfEndTag(ReadOnlySpan<byte> s, int from, string name)
    {
        Span<byte> tag = stackalloc byte[name.Length + 2];
        tag[0] = (byte)'<';
        tag[1] = (byte)'/';
        for (var k = 0; k < name.Length; k++) tag[k + 2] = (byte)name[k];
        for (var i = from; i < s.Length;)
        {
            var at = s[i..].IndexOf(tag[..2]);
            if (at < 0) return -1;
            i += at;
            if (i + tag.Length <= s.Length && Ascii.EqualsIgnoreCase(s.Slice(i, tag.Length), tag)) return i;
            i += 2;
        }

        return -1;
    }

    private static bool IsAsciiLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';
}
