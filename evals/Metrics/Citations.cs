using System.Text.RegularExpressions;

namespace TeacherPlatform.Evals.Metrics;

/// <summary>Citation markers in an answer: [1], [2][3], [1, 4], [1-3].</summary>
public static partial class Citations
{
    [GeneratedRegex(@"\[(\d+(?:\s*[,\-–]\s*\d+)*)\]")]
    private static partial Regex Marker();

    public static IReadOnlySet<int> Parse(string content)
    {
        var set = new SortedSet<int>();
        foreach (Match m in Marker().Matches(content))
        {
            foreach (var part in m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))
            {
                var range = part.Split(['-', '–'], StringSplitOptions.TrimEntries);
                if (range.Length == 2 && int.TryParse(range[0], out var a) && int.TryParse(range[1], out var b) && b >= a && b - a < 50)
                    for (var i = a; i <= b; i++) set.Add(i);
                else if (int.TryParse(part, out var n)) set.Add(n);
            }
        }
        return set;
    }

    /// <summary>The answer without its citation markers (for token F1).</summary>
    public static string Strip(string content) => Marker().Replace(content, " ");
}
