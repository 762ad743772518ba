using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace TeacherPlatform.Ai.Connectors;

/// <summary>Content terms of a text: lower-cased words without stop-words, lightly stemmed.</summary>
internal static partial class TextTerms
{
    public static HashSet<string> Of(string text)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match word in Word().Matches(text))
        {
            var lower = word.Value.ToLowerInvariant();
            if ((lower.Length < 2 && !char.IsDigit(lower[0])) || StopWords.Contains(lower)) continue;
            terms.Add(Stem(lower));
        }
        return terms;
    }

    /// <summary>
    /// Strips -ing/-ed/-es/-s and then a final -e, so "scale", "scales", "scaled" and "scaling" meet at "scal".
    /// Crude on purpose: both sides of the comparison go through it.
    /// </summary>
    public static string Stem(string word)
    {
        var stem = word;
        if (stem.EndsWith("ing", StringComparison.Ordinal) && stem.Length > 5) stem = Undouble(stem[..^3]);
        else if (stem.EndsWith("ed", StringComparison.Ordinal) && stem.Length > 4) stem = Undouble(stem[..^2]);
        else if (stem.EndsWith("es", StringComparison.Ordinal) && stem.Length > 4 && IsSibilant(stem[..^2])) stem = stem[..^2];
        else if (stem.EndsWith('s') && !stem.EndsWith("ss", StringComparison.Ordinal) && stem.Length > 3) stem = stem[..^1];
        if (stem.EndsWith('e') && stem.Length > 3) stem = stem[..^1];
        return stem;

        static bool IsSibilant(string s) =>
            s.EndsWith('s') || s.EndsWith('x') || s.EndsWith('z') || s.EndsWith("ch", StringComparison.Ordinal) || s.EndsWith("sh", StringComparison.Ordinal);

        // "stopping" → "stopp" → "stop"; "playing" keeps "play".
        static string Undouble(string s) =>
            s.Length > 3 && s[^1] == s[^2] && !"aeiouls".Contains(s[^1]) ? s[..^1] : s;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['’][\p{L}]+)?")]
    private static partial Regex Word();

    private static readonly FrozenSet<string> StopWords = new[]
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
        "does", "doing", "down", "during", "each", "few", "for", "from", "further", "get", "gets", "had", "has", "have",
        "having", "he", "her", "here", "hers", "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's",
        "its", "just", "me", "more", "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off", "on", "once",
        "one", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
        "to", "too", "under", "until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while",
        "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "tell", "explain", "way", "ways", "use",
        "using", "make", "good", "best", "really", "thing", "things", "please", "may", "might", "shall", "let", "lets",
    }.ToFrozenSet(StringComparer.Ordinal);
}
