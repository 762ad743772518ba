using System.Text;
using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.Ai.Rag;

/// <summary>One informative term of the question: its document frequency and the first top passage (1-based) holding it, 0 if none.</summary>
public sealed record TermEvidence(string Term, long DocumentFrequency, int Passage);

/// <summary>
/// Whether the question's topic is in the passages. <see cref="Coverage"/>: the idf-weighted share of the question's
/// informative terms found in the top passages (a term the corpus does not hold counts as not found, with the largest
/// idf). <see cref="Missing"/>: the idf-weighted share of those terms the corpus does not contain at all ("Suzuki",
/// "GarageBand", "sourdough"). Both are 0 when the question has no informative term.
/// </summary>
public sealed record TopicEvidence(int Terms, double Coverage, double Missing, IReadOnlyList<TermEvidence> Detail)
{
    public static readonly TopicEvidence None = new(0, 1, 0, []);
}

/// <summary>
/// The relevance signal the similarity scores lack: long off-topic questions reach the same best-passage cosine as
/// covered ones (the student-voice context sentence is on the corpus' subject), but their subject words (bench,
/// Suzuki, tablature, Op. 111) are rare or absent. Terms are the keyword query's content words less English function
/// words (PostgreSQL's english dictionary drops those, SQLite's porter tokenizer does not: ignoring them keeps both
/// providers alike); matching in the passages uses a light suffix stemmer on both sides. Reuses the passages retrieval
/// already returned and the cached document frequencies of the keyword index: no embedding, one cheap statement.
/// </summary>
public static class TopicCoverage
{
    /// <summary>The question's terms the signal weighs.</summary>
    public static IReadOnlyList<string> Terms(string question) =>
        KeywordQuery.Terms(question).Where(t => !FunctionWords.Contains(t)).ToList();

    /// <param name="terms">From <see cref="Terms"/>.</param>
    /// <param name="stats">Corpus size and document frequency per term.</param>
    /// <param name="passages">The top passages, best first.</param>
    public static TopicEvidence Measure(IReadOnlyList<string> terms, TermStatistics stats, IReadOnlyList<string> passages)
    {
        if (terms.Count == 0) return TopicEvidence.None;
        var stemmed = passages.Select(Stems).ToList();
        var n = Math.Max(1, stats.Chunks);
        double total = 0, found = 0, missing = 0;
        var detail = new List<TermEvidence>(terms.Count);
        foreach (var t in terms)
        {
            var df = stats.DocumentFrequency.TryGetValue(t, out var d) ? d : 0;
            var idf = Idf(df, n);
            var stem = Stem(t);
            var at = stemmed.FindIndex(s => s.Contains(stem)) + 1;
            total += idf;
            if (at > 0) found += idf;
            else if (df == 0) missing += idf;
            detail.Add(new TermEvidence(t, df, at));
        }
        return new TopicEvidence(terms.Count, Math.Round(found / total, 4), Math.Round(missing / total, 4), detail);
    }

    /// <summary>BM25's idf kept positive (Lucene's form): terms in most chunks weigh little, absent ones most.</summary>
    public static double Idf(long df, long chunks) => Math.Log(1 + (chunks - df + 0.5) / (df + 0.5));

    /// <summary>Light suffix stemmer (plural, -ing, -ed, -ly), applied alike to question terms and passage words.</summary>
    public static string Stem(string w)
    {
        if (w.Length <= 3) return w;
        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4) return w[..^3] + "y";
        if (w.EndsWith("ing", StringComparison.Ordinal) && w.Length > 5) return Undouble(w[..^3]);
        if (w.EndsWith("ed", StringComparison.Ordinal) && w.Length > 4) return Undouble(w[..^2]);
        if (w.EndsWith("ly", StringComparison.Ordinal) && w.Length > 4) return w[..^2];
        if (w.EndsWith("es", StringComparison.Ordinal) && w.Length > 4 && w[^3] is 's' or 'x' or 'z' or 'h') return w[..^2];
        if (w[^1] == 's' && w[^2] is not ('s' or 'u' or 'i')) return w[..^1];
        return w;

        static string Undouble(string s) => s.Length > 2 && s[^1] == s[^2] && s[^1] is not ('l' or 's' or 'z') ? s[..^1] : s;
    }

    /// <summary>The stemmed lower-case words of a passage.</summary>
    public static HashSet<string> Stems(string text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var sb = new StringBuilder(16);
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch)) sb.Append(char.ToLowerInvariant(ch));
            else if (ch is '\'' or '’' && sb.Length > 0) continue;
            else if (sb.Length > 0) { set.Add(Stem(sb.ToString())); sb.Clear(); }
        }
        if (sb.Length > 0) set.Add(Stem(sb.ToString()));
        return set;
    }

    // The snowball English stop list (PostgreSQL's 'english' dictionary) beyond the keyword query's own stop words.
    private static readonly HashSet<string> FunctionWords = new(StringComparer.Ordinal)
    {
        "myself","ours","ourselves","yours","yourself","yourselves","himself","hers","herself","itself","theirs","themselves",
        "whom","those","were","having","because","until","while","against","between","through","during","before","after",
        "above","below","up","down","out","off","over","under","again","further","once","here","all","both","each","few",
        "more","most","such","nor","only","own","same","now","don",
    };
}
