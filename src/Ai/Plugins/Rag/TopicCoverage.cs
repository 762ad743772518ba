using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.Ai.Rag;

/// <summary>One informative term of the question: its document frequency and the first top passage (1-based) holding it, 0 if none.</summary>
public sealed record TermEvidence(string Term, long DocumentFrequency, int Passage);

/// <summary>
/// Two informative terms next to each other in the question (at most <see cref="TopicCoverage.MaxQuestionGap"/> other
/// words between them: "tuning hammer", "voice the hammers"), and the fewest token positions between them in any one
/// top passage: 1 = adjacent there too, 0 = no top passage holds both; <see cref="BothFound"/>: each of the two is in some top passage.
/// </summary>
public sealed record PairEvidence(string First, string Second, double Weight, int Distance, bool BothFound);

/// <summary>
/// Whether the question's topic is in the passages. <see cref="Coverage"/>: the idf-weighted share of the question's
/// informative terms found in the top passages (a term the corpus does not hold counts as not found, with the largest
/// idf). <see cref="Missing"/>: the idf-weighted share of those terms the corpus does not contain at all ("Suzuki",
/// "GarageBand", "sourdough"). Both are 0 when the question has no informative term. <see cref="PhraseCoverage"/>:
/// of the question's term pairs whose two terms are both in the top passages, the weighted share that stand together
/// in one top passage (<see cref="TopicCoverage.PhraseCoverage"/>); null when no pair qualifies.
/// </summary>
public sealed record TopicEvidence(int Terms, double Coverage, double Missing, IReadOnlyList<TermEvidence> Detail,
    double? PhraseCoverage = null, IReadOnlyList<PairEvidence>? Pairs = null)
{
    public static readonly TopicEvidence None = new(0, 1, 0, []);
}

/// <summary>The question as the topic signal reads it: its informative terms (one per analysed form) and their pairs.</summary>
public sealed record TopicQuestion(IReadOnlyList<string> Terms, IReadOnlyList<(string First, string Second)> Pairs);

/// <summary>
/// The relevance signal the similarity scores lack: long off-topic questions reach the same best-passage cosine as
/// covered ones (the student-voice context sentence is on the corpus' subject), but their subject words (bench,
/// Suzuki, tablature, Op. 111) are rare or absent. Terms are the keyword query's content words less English function
/// words (PostgreSQL's english dictionary drops those, SQLite's porter tokenizer does not: ignoring them keeps both
/// providers alike). Question terms and passages go through the keyword index's own analysis
/// (<see cref="KeywordAnalyzer"/>: FTS5's porter unicode61 tokens), the analysis the document frequencies are counted
/// with, so "tuning" in the question is the "tune" of the passage and of the index alike.
/// Phrase coverage asks whether the passages are about the question's compound subject ("tuning hammer", "broken
/// string") or only share its words: each pair of adjacent informative question terms whose two terms are in the top
/// passages, weighted by the smaller idf of the two, counts as together when both stand in one top passage (within
/// <c>window</c> tokens of each other, or anywhere in it for window 0), not only in different ones.
/// Reuses the passages retrieval already returned and the cached document frequencies of the keyword index: no
/// embedding, one cheap statement.
/// </summary>
public static class TopicCoverage
{
    /// <summary>Most non-informative words between two question terms that still make a pair ("voice the hammers").</summary>
    public const int MaxQuestionGap = 2;

    /// <summary>The question's terms the signal weighs (the first spelling of each analysed form).</summary>
    public static IReadOnlyList<string> Terms(string question) => Parse(question).Terms;

    /// <summary>Terms, and the pairs of terms adjacent in one clause of the question (punctuation ends a clause).</summary>
    public static TopicQuestion Parse(string question)
    {
        var terms = new List<string>();
        var stems = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in KeywordQuery.Terms(question))
            if (Informative(t) && KeywordAnalyzer.Term(t) is { } stem && stems.Add(stem))
                terms.Add(t);
        var pairs = new List<(string, string)>();
        var seen = new HashSet<(string, string)>();
        foreach (var clause in question.Split(ClauseEnds, StringSplitOptions.RemoveEmptyEntries))
        {
            // Each word of the clause: its analysed form if it is an informative term, null if not (a stop word whose
            // stem equals a term's, "on" next to "ones", stays null).
            var words = KeywordQuery.ContentWordsInOrder(clause)
                .Select(w => w is not null && Informative(w) && KeywordAnalyzer.Term(w) is { } st && stems.Contains(st) ? st : null).ToList();
            var last = -1;
            for (var i = 0; i < words.Count; i++)
            {
                if (words[i] is not { } current) continue;
                if (last >= 0 && i - last - 1 <= MaxQuestionGap && words[last] != current)
                {
                    var pair = string.CompareOrdinal(words[last], current) < 0 ? (words[last]!, current) : (current, words[last]!);
                    if (seen.Add(pair)) pairs.Add((words[last]!, current));
                }
                last = i;
            }
        }
        return new TopicQuestion(terms, pairs);
    }

    /// <param name="terms">From <see cref="Terms"/>.</param>
    /// <param name="stats">Corpus size and document frequency per term.</param>
    /// <param name="passages">The top passages, best first.</param>
    public static TopicEvidence Measure(IReadOnlyList<string> terms, TermStatistics stats, IReadOnlyList<string> passages) =>
        Measure(new TopicQuestion(terms, []), stats, passages, 0);

    /// <param name="question">From <see cref="Parse"/>.</param>
    /// <param name="stats">Corpus size and document frequency per term.</param>
    /// <param name="passages">The top passages, best first.</param>
    /// <param name="window">Most token positions between a pair's two terms in a passage for the pair to count as together; 0 = anywhere in one passage.</param>
    public static TopicEvidence Measure(TopicQuestion question, TermStatistics stats, IReadOnlyList<string> passages, int window)
    {
        var terms = question.Terms;
        if (terms.Count == 0) return TopicEvidence.None;
        var analysed = passages.Select(KeywordAnalyzer.Tokens).ToList();
        var tokenSets = analysed.Select(p => p.ToHashSet(StringComparer.Ordinal)).ToList();
        var n = Math.Max(1, stats.Chunks);
        double total = 0, found = 0, missing = 0;
        var detail = new List<TermEvidence>(terms.Count);
        var idfOf = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in terms)
        {
            var df = stats.DocumentFrequency.TryGetValue(t, out var d) ? d : 0;
            var idf = Idf(df, n);
            var stem = KeywordAnalyzer.Term(t)!;
            idfOf[stem] = idf;
            var at = tokenSets.FindIndex(s => s.Contains(stem)) + 1;
            total += idf;
            if (at > 0) found += idf;
            else if (df == 0) missing += idf;
            detail.Add(new TermEvidence(t, df, at));
        }
        List<PairEvidence>? pairs = null;
        if (question.Pairs.Count > 0)
        {
            pairs = [];
            foreach (var (a, b) in question.Pairs)
            {
                var w = Math.Min(idfOf.GetValueOrDefault(a), idfOf.GetValueOrDefault(b));
                var distance = analysed.Select(p => Distance(p, a, b)).Where(x => x > 0).DefaultIfEmpty(0).Min();
                pairs.Add(new PairEvidence(a, b, Math.Round(w, 4), distance, tokenSets.Any(x => x.Contains(a)) && tokenSets.Any(x => x.Contains(b))));
            }
        }
        var phrase = pairs is null ? null : PhraseCoverage(pairs, window);
        return new TopicEvidence(terms.Count, Math.Round(found / total, 4), Math.Round(missing / total, 4), detail, phrase, pairs);
    }

    /// <summary>
    /// Of the pairs whose two terms are both in the top passages (a term absent from them is the coverage figure's
    /// business), the share, weighted by the smaller idf of each pair, that stand together in one passage: within
    /// <paramref name="window"/> token positions, or anywhere in it when the window is 0. Null when no pair qualifies.
    /// </summary>
    public static double? PhraseCoverage(IReadOnlyList<PairEvidence> pairs, int window)
    {
        double weight = 0, together = 0;
        foreach (var p in pairs)
        {
            if (!p.BothFound) continue;
            weight += p.Weight;
            if (p.Distance > 0 && (window <= 0 || p.Distance <= window)) together += p.Weight;
        }
        return weight > 0 ? Math.Round(together / weight, 4) : null;
    }

    /// <summary>The fewest positions between a token <paramref name="a"/> and a token <paramref name="b"/> of the passage, 0 if it lacks either.</summary>
    public static int Distance(IReadOnlyList<string> tokens, string a, string b)
    {
        int lastA = -1, lastB = -1, best = int.MaxValue;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] == a) { lastA = i; if (lastB >= 0) best = Math.Min(best, i - lastB); }
            else if (tokens[i] == b) { lastB = i; if (lastA >= 0) best = Math.Min(best, i - lastA); }
        }
        return best == int.MaxValue ? 0 : best;
    }

    /// <summary>BM25's idf kept positive (Lucene's form): terms in most chunks weigh little, absent ones most.</summary>
    public static double Idf(long df, long chunks) => Math.Log(1 + (chunks - df + 0.5) / (df + 0.5));

    private static bool Informative(string word) => !FunctionWords.Contains(word);

    private static readonly char[] ClauseEnds = ['.', ',', ';', ':', '?', '!', '(', ')'];

    // The snowball English stop list (PostgreSQL's 'english' dictionary) beyond the keyword query's own stop words.
    private static readonly HashSet<string> FunctionWords = new(StringComparer.Ordinal)
    {
        "myself","ours","ourselves","yours","yourself","yourselves","himself","hers","herself","itself","theirs","themselves",
        "whom","those","were","having","because","until","while","against","between","through","during","before","after",
        "above","below","up","down","out","off","over","under","again","further","once","here","all","both","each","few",
        "more","most","such","nor","only","own","same","now","don",
    };
}
