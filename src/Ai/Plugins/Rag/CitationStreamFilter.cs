using System.Text;
using System.Text.RegularExpressions;

namespace TeacherPlatform.Ai.Rag;

/// <summary>
/// Filters citations out of a token stream as it flows: "[n]" markers whose numbers are not among the sources are
/// removed (a model may invent "[7]" with five sources). Text inside other brackets passes through unchanged.
/// </summary>
public sealed partial class CitationStreamFilter(int sourceCount)
{
    private readonly StringBuilder _pending = new();

    public string Push(string delta)
    {
        var output = new StringBuilder();
        foreach (var ch in delta)
        {
            if (_pending.Length == 0)
            {
                if (ch == '[') _pending.Append(ch); else output.Append(ch);
                continue;
            }
            _pending.Append(ch);
            if (ch == ']') { output.Append(Resolve(_pending.ToString())); _pending.Clear(); }
            else if (_pending.Length > 24 || ch == '\n') { output.Append(_pending); _pending.Clear(); }
        }
        return output.ToString();
    }

    public string Flush()
    {
        var rest = _pending.ToString();
        _pending.Clear();
        return rest;
    }

    private string Resolve(string bracket)
    {
        var inner = bracket[1..^1];
        if (!CitationList().IsMatch(inner)) return bracket; // not a citation
        var valid = inner.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(int.Parse).Where(n => n >= 1 && n <= sourceCount).Distinct().ToList();
        return valid.Count == 0 ? "" : "[" + string.Join(", ", valid) + "]";
    }

    /// <summary>Citation numbers referenced by an answer ([1], [2, 3]).</summary>
    public static IReadOnlyList<int> Cited(string text) =>
        CitationMarker().Matches(text).SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Select(int.Parse)).Distinct().Order().ToList();

    [GeneratedRegex(@"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$")]
    private static partial Regex CitationList();

    [GeneratedRegex(@"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")]
    private static partial Regex CitationMarker();
}
