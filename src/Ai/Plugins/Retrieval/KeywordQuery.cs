using System.Text;
using System.Text.RegularExpressions;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// Turns a natural-language question into keyword terms. Questions are OR-ed (ranking does the rest): AND
/// semantics return nothing for most student questions, which rarely repeat every word of the passage.
/// Real student questions are long (a mean of ~26 words) and wrapped in chat ("my teacher says…", "what does the book
/// say about…"): those framing words are dropped, and adjacent content words are added as quoted phrases so a passage
/// that uses the question's wording ("inner ear", "finger exercises") ranks above one that merely shares its words.
/// Text the student put in double quotes ("play as if in the presence of a master") is searched as an exact phrase,
/// stop words included: students quote the book, and the quote names the passage better than any of its words.
/// </summary>
public static partial class KeywordQuery
{
    private const int MaxTerms = 32;
    private const int MaxVariants = 12;
    private const int MinCompoundPart = 3;
    private const int MaxCompoundLength = 20;
    /// <summary>At most this many words of a question that no chunk contains are tried as closed compounds.</summary>
    public const int MaxCompoundTerms = 3;
    private const int MaxPhrases = 8;
    private const int MaxQuoted = 3;
    private const int MaxQuotedWords = 16;

    private static readonly HashSet<string> Stopwords = new(StringComparer.Ordinal)
    {
        "a","an","and","are","as","at","be","but","by","can","could","do","does","did","for","from","how","i","if","in","into","is","it",
        "its","me","my","of","on","or","should","so","than","that","the","their","then","there","these","this","to","was","we","what",
        "when","where","which","who","why","will","with","would","you","your","about","any","some","get","make","much","many","not","no",
        // Chat framing of student questions: words about the asking, not about the subject.
        "am","been","being","has","have","had","he","she","his","her","him","they","them","our","us","im","ive","dont","doesnt","whats",
        "hi","hey","hello","ok","okay","please","thanks","thank","just","really","actually","also","still","even","very","too","like",
        "know","want","wanted","need","needs","tell","told","explain","explains","say","says","said","saying","mean","means","meant",
        "according","book","books","author","authors","chapter","chapters","text","page","pages","mention","mentions","mentioned",
        "talk","talks","talking","something","anything","thing","things","stuff","kind","exactly","supposed","keep","keeps","kept",
        "sometimes","always","ever","one","other","another","got","give","gives","given","does","doing","done","way","ways",
    };

    public static IReadOnlyList<string> Terms(string query) => Words(query).Where(w => w.Content).Select(w => w.Text).Distinct().Take(MaxTerms).ToList();

    /// <summary>The words of <paramref name="text"/> in order, as the keyword query splits them: a content word, or null for a stop word.</summary>
    public static IEnumerable<string?> ContentWordsInOrder(string text) => Words(text).Select(w => w.Content ? w.Text : null);

    /// <summary>Adjacent content words of the question (framing words between them break the pair), most informative first.</summary>
    public static IReadOnlyList<string> Phrases(string query)
    {
        var words = Words(query);
        var phrases = new List<string>();
        for (var i = 0; i + 1 < words.Count; i++)
            if (words[i].Content && words[i + 1].Content && words[i].Text != words[i + 1].Text)
                phrases.Add($"{words[i].Text} {words[i + 1].Text}");
        return phrases.Distinct().Take(MaxPhrases).ToList();
    }

    /// <summary>
    /// Passages the question quotes (straight or curly double quotes) of 2 to <see cref="MaxQuotedWords"/> words, as
    /// exact phrases: every word kept, stop words too (both full-text indexes keep every token), lower-cased, split
    /// where the index splits words. A one-word quote is already a term.
    /// </summary>
    public static IReadOnlyList<string> Quoted(string query)
    {
        var quoted = new List<string>();
        var normalized = query.Normalize(NormalizationForm.FormKC);
        var open = -1;
        for (var i = 0; i < normalized.Length && quoted.Count < MaxQuoted; i++)
        {
            var ch = normalized[i];
            if (ch is not ('"' or '\u201C' or '\u201D')) continue;
            if (open < 0 || ch == '\u201C') { open = i; continue; }
            var words = PhraseWords(normalized.AsSpan(open + 1, i - open - 1));
            if (words.Count is >= 2 and <= MaxQuotedWords) quoted.Add(string.Join(' ', words));
            open = -1;
        }
        return quoted.Distinct().ToList();
    }

    // Every run of letters and digits, as the index's tokenizer splits (an apostrophe separates: "teacher's" is two).
    private static List<string> PhraseWords(ReadOnlySpan<char> text)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch)) { sb.Append(char.ToLowerInvariant(ch)); continue; }
            if (sb.Length is > 0 and <= 64) words.Add(sb.ToString());
            sb.Clear();
        }
        if (sb.Length is > 0 and <= 64) words.Add(sb.ToString());
        return words;
    }

    /// <summary>FTS5 MATCH expression: every term and phrase quoted (no operator injection), OR-ed.</summary>
    public static string? Fts5(string query) => Plan(query).Fts5();

    /// <summary>Input for PostgreSQL websearch_to_tsquery: terms and "quoted phrases" joined with its `or` operator.</summary>
    public static string? WebSearch(string query) => Plan(query).WebSearch();

    /// <summary>The question's terms and phrases, before any selection by document frequency.</summary>
    public static KeywordPlan Plan(string query) => new(Terms(query), Phrases(query), Quoted(query), SpellingVariants(query));

    /// <summary>
    /// Other spellings of what the question writes, which the corpus may use instead: a hyphenated word closed up
    /// ("key-board" → "keyboard"; the index splits at the hyphen, so the hyphenated spelling is already the question's
    /// words and their phrase), and a numbered part in the other ways books number it ("chapter three", "chapter 3",
    /// "third chapter" → "chapter 3", "chapter iii", "chapter three"), and the other national spelling of a word
    /// ("colour" / "color", "memorise" / "memorize", "centre" / "center"). Candidates only: the
    /// search keeps those the corpus contains. Roman "i" is never produced: "in this chapter I shall…" is everywhere.
    /// </summary>
    public static IReadOnlyList<string> SpellingVariants(string query)
    {
        var variants = new List<string>();
        var normalized = query.Normalize(NormalizationForm.FormKC);
        foreach (var m in HyphenatedWord().EnumerateMatches(normalized))
        {
            var joined = new string(normalized.AsSpan(m.Index, m.Length).ToString().Where(char.IsLetter).Select(char.ToLowerInvariant).ToArray());
            if (joined.Length <= 64) variants.Add(joined);
        }

        var all = Words(query);
        var words = all.Select(w => w.Text).ToList();
        for (var i = 0; i + 1 < words.Count; i++)
        {
            var (part, n) = NumberedPart.Parse(words[i], words[i + 1]);
            if (part is null) continue;
            var original = $"{words[i]} {words[i + 1]}";
            variants.AddRange(NumberedPart.Spellings(part, n).Where(v => v != original));
        }

        foreach (var w in all.Where(w => w.Content))
            if (BritishAmericanSpelling.Alternative(w.Text) is { } other) variants.Add(other);
        return variants.Distinct(StringComparer.Ordinal).Take(MaxVariants).ToList();
    }

    /// <summary>
    /// Ways to write <paramref name="term"/> as two words, for a closed compound the corpus only spells open or
    /// hyphenated ("keyboard" → "key board", which matches "key-board"): each split into parts of at least three letters.
    /// </summary>
    public static IEnumerable<string> CompoundSplits(string term)
    {
        // Bounded: each split costs index lookups, and a question can be made of long made-up words.
        if (term.Length is < 2 * MinCompoundPart or > MaxCompoundLength || !term.All(char.IsLetter)) yield break;
        for (var i = MinCompoundPart; i <= term.Length - MinCompoundPart; i++)
            yield return $"{term[..i]} {term[i..]}";
    }

    [GeneratedRegex(@"\p{L}+(?:[-\u2010]\p{L}+)+")]
    private static partial Regex HyphenatedWord();

    /// <summary>
    /// Keeps the terms worth OR-ing for a long question. BM25's idf, ln((N − n + 0.5) / (n + 0.5)), is ≤ 0 once a term is in
    /// half the chunks (FTS5 floors it at 1e-6), so such a term adds nothing to any score but makes nearly every row a
    /// candidate: it is dropped (above <paramref name="maxDocFraction"/> of the corpus). A term no chunk contains matches
    /// nothing and is dropped. Of the rest the <paramref name="maxTerms"/> rarest are kept (the largest idf, i.e. most of
    /// the score), in question order; phrases are kept only when both their words are, quoted passages always (a quote is
    /// rare by nature, and its frequent words are what make it a quote), other spellings always (they were kept because
    /// the corpus writes them). If nothing would be left, the rarest
    /// matching term stays; if no term matches at all, the plan is unchanged (it finds nothing either way).
    /// </summary>
    public static KeywordPlan Select(KeywordPlan plan, Func<string, long> docFrequency, long corpusSize, int maxTerms, double maxDocFraction)
    {
        var df = plan.Terms.ToDictionary(t => t, docFrequency, StringComparer.Ordinal);
        var matching = plan.Terms.Where(t => df[t] > 0).ToList();
        if (matching.Count == 0) return plan;
        var limit = maxDocFraction * corpusSize;
        var chosen = matching.Where(t => df[t] <= limit).OrderBy(t => df[t]).Take(Math.Max(1, maxTerms)).ToHashSet(StringComparer.Ordinal);
        if (chosen.Count == 0) chosen.Add(matching.MinBy(t => df[t])!);
        if (chosen.Count == plan.Terms.Count) return plan;
        var terms = plan.Terms.Where(chosen.Contains).ToList();
        var phrases = plan.Phrases.Where(p => p.Split(' ').All(chosen.Contains)).ToList();
        return plan with { Terms = terms, Phrases = phrases };
    }

    private readonly record struct Word(string Text, bool Content);

    private static List<Word> Words(string query)
    {
        var words = new List<Word>();
        var sb = new StringBuilder();
        foreach (var ch in query.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(ch)) sb.Append(char.ToLowerInvariant(ch));
            else if (ch is '\'' or '’' && sb.Length > 0) continue; // "don't" → "dont", "teacher's" → "teachers"
            else Flush();
        }
        Flush();
        return words;

        void Flush()
        {
            if (sb.Length == 0) return;
            var t = sb.ToString();
            sb.Clear();
            if (t.Length > 64) return;
            words.Add(new Word(t, t.Length > 1 && !Stopwords.Contains(t)));
        }
    }
}

/// <summary>
/// Keyword terms, adjacent-word phrases and quoted passages of a question, rendered for either provider's full-text syntax.
/// A phrase is its words joined by single spaces (letters and digits only, so no operator can be injected).
/// </summary>
public sealed record KeywordPlan(
    IReadOnlyList<string> Terms, IReadOnlyList<string> Phrases, IReadOnlyList<string>? Quoted = null, IReadOnlyList<string>? Variants = null)
{
    /// <summary>
    /// Adjacent-word phrases, quoted passages and other spellings (one word or several): every item the query ORs
    /// besides its own terms.
    /// </summary>
    public IEnumerable<string> AllPhrases => Phrases.Concat(Quoted ?? []).Concat(Variants ?? []);

    /// <summary>Nothing to search: no term, no quoted passage and no other spelling.</summary>
    public bool IsEmpty => Terms.Count == 0 && (Quoted ?? []).Count == 0 && (Variants ?? []).Count == 0;

    /// <summary>FTS5 MATCH expression: every term and phrase quoted (no operator injection), OR-ed.</summary>
    public string? Fts5() => IsEmpty ? null : string.Join(" OR ", Terms.Concat(AllPhrases).Select(t => $"\"{t}\""));

    /// <summary>Input for PostgreSQL websearch_to_tsquery: terms and "quoted phrases" joined with its `or` operator.</summary>
    public string? WebSearch() => IsEmpty ? null : string.Join(" or ", Terms.Concat(AllPhrases.Select(p => $"\"{p}\"")));
}
