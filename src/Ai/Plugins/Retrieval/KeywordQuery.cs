using System.Text;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// Turns a natural-language question into keyword terms. Questions are OR-ed (ranking does the rest): AND
/// semantics return nothing for most student questions, which rarely repeat every word of the passage.
/// </summary>
public static class KeywordQuery
{
    private static readonly HashSet<string> Stopwords = new(StringComparer.Ordinal)
    {
        "a","an","and","are","as","at","be","but","by","can","could","do","does","did","for","from","how","i","if","in","into","is","it",
        "its","me","my","of","on","or","should","so","than","that","the","their","then","there","these","this","to","was","we","what",
        "when","where","which","who","why","will","with","would","you","your","about","any","some","get","make","much","many","not","no",
    };

    public static IReadOnlyList<string> Terms(string query)
    {
        var terms = new List<string>();
        var sb = new StringBuilder();
        foreach (var ch in query.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch)) sb.Append(char.ToLowerInvariant(ch));
            else Flush();
        }
        Flush();
        return terms.Distinct().Take(32).ToList();

        void Flush()
        {
            if (sb.Length == 0) return;
            var t = sb.ToString();
            sb.Clear();
            if (t.Length > 1 && t.Length <= 64 && !Stopwords.Contains(t)) terms.Add(t);
        }
    }

    /// <summary>FTS5 MATCH expression: every term quoted (no operator injection), OR-ed.</summary>
    public static string? Fts5(string query)
    {
        var terms = Terms(query);
        return terms.Count == 0 ? null : string.Join(" OR ", terms.Select(t => $"\"{t}\""));
    }

    /// <summary>Input for PostgreSQL websearch_to_tsquery: terms joined with its `or` operator.</summary>
    public static string? WebSearch(string query)
    {
        var terms = Terms(query);
        return terms.Count == 0 ? null : string.Join(" or ", terms);
    }
}
