using System.Text;

namespace TeacherPlatform.Ingestion.Partitioning;

public enum HeadingKind { None, New, Repeated }

/// <summary>
/// Recognises headings in extracted text, where fonts are gone: a paragraph of its own that is short (≤ 10 words,
/// ≤ 80 characters), starts with a capital or a section number, and reads as a title rather than a sentence (no
/// closing ",;:?!", and a final "." only in an ALL-CAPS line such as "CHAPTER I."). Markdown's "## 1. Legato" and a
/// PDF's bold "1. Legato" both arrive as such a paragraph. A heading whose text was seen before in the document, or
/// equals the document title, is <see cref="HeadingKind.Repeated"/>: a running head, which opens no new section.
/// One instance per document (it remembers the headings seen).
/// </summary>
public sealed class HeadingDetector
{
    private const int MaxWords = 10;
    private const int MaxChars = 80;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public HeadingDetector(string? documentTitle = null)
    {
        if (Normalize(documentTitle) is { Length: > 0 } t) _seen.Add(t);
    }

    public HeadingKind Classify(ReadOnlySpan<char> paragraph)
    {
        var p = paragraph.Trim();
        if (!LooksLikeHeading(p)) return HeadingKind.None;
        return _seen.Add(Normalize(p.ToString())) ? HeadingKind.New : HeadingKind.Repeated;
    }

    public static bool LooksLikeHeading(ReadOnlySpan<char> p)
    {
        if (p.Length is 0 or > MaxChars || p.Contains('\n')) return false;
        if (!char.IsUpper(p[0]) && !char.IsDigit(p[0])) return false;
        var words = 1;
        bool anyLetter = false, anyLower = false;
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            if (char.IsWhiteSpace(c) && i > 0 && !char.IsWhiteSpace(p[i - 1])) words++;
            if (char.IsLetter(c)) { anyLetter = true; anyLower |= char.IsLower(c); }
        }

        if (!anyLetter || words > MaxWords) return false;
        var last = p[^1];
        if (last is ',' or ';' or ':' or '?' or '!' or '-' or '"' or '”' or '’') return false;
        // A sentence ends with a full stop; an ALL-CAPS heading ("CHAPTER I.", "WHAT THE FACE TELLS.") may too.
        if (last == '.' && anyLower) return false;
        // Two sentences are a short paragraph, not a heading ("Play it again. Slowly").
        return !anyLower || !ContainsSentenceBreak(p);
    }

    private static bool ContainsSentenceBreak(ReadOnlySpan<char> p)
    {
        for (var i = 1; i + 2 < p.Length; i++)
            if (p[i] is '.' or '?' or '!' && p[i + 1] == ' ' && char.IsLetter(p[i - 1]) && char.IsUpper(p[i + 2])) return true;
        return false;
    }

    /// <summary>Letters and digits, lower-cased, single-spaced: "WHAT THE FACE TELLS." ≈ "What the Face Tells".</summary>
    private static string Normalize(string? s)
    {
        if (s is null) return "";
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
            else if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
        }

        return sb.ToString().TrimEnd();
    }
}
