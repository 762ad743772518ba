using System.Text.RegularExpressions;
using TeacherPlatform.Ai.Text;

namespace TeacherPlatform.Ai.Connectors;

/// <summary>Wording of extractive answers; the orchestrator may override it from the prompt files.</summary>
public sealed record ExtractiveAnswerWording(
    string Prefix = "Extractive answer (no language model configured), quoted from the sources:",
    string NoSources = "Extractive answer (no language model configured): no sources were found for this question, so there is nothing to quote.");

/// <summary>
/// Builds an answer from the sentences of the sources that best match the question: nothing is generated,
/// every sentence is quoted verbatim (whitespace normalised) and followed by the number of its source. Answers read
/// as answers on real documents too: only whole sentences are quoted (a fragment cut at a page or chunk edge, a
/// heading, a running head or a page number never is; a sentence broken by a page turn inside a chunk is rejoined),
/// the most relevant sentence comes first, near-duplicates are dropped and the length is bounded.
/// </summary>
public static partial class ExtractiveAnswerBuilder
{
    public const int MinSentences = 2;
    public const int MaxSentences = 4;

    /// <summary>Upper bound on the quoted words, so an answer stays an answer and not a page.</summary>
    public const int MaxAnswerWords = 130;

    /// <summary>Earlier sources ranked higher in retrieval: worth a little, never more than a matching term.</summary>
    private const double SourceRankBonus = 0.05;

    /// <summary>Sentences sharing this much of their vocabulary say the same thing (overlapping chunks repeat text).</summary>
    private const double NearDuplicateJaccard = 0.6;

    /// <summary>Past the first <see cref="MinSentences"/>, a sentence must score this fraction of the best one.</summary>
    private const double ExtraSentenceFloor = 0.5;

    private const int MinWords = 4;

    /// <summary>Longer sentences are skipped rather than cut (a cut sentence is a fragment).</summary>
    private const int MaxWords = 70;

    public static string Build(string question, IReadOnlyList<ExtractiveSource> sources, ExtractiveAnswerWording? wording = null)
    {
        wording ??= new ExtractiveAnswerWording();
        var picked = Select(question, sources);
        if (picked.Count == 0) return wording.NoSources;

        // Most relevant first; each sentence carries its citation.
        return wording.Prefix + "\n\n" + string.Join(' ', picked.Select(s => $"{s.Text} [{s.Citation}]"));
    }

    /// <summary>The chosen sentences, most relevant first.</summary>
    internal static IReadOnlyList<Sentence> Select(string question, IReadOnlyList<ExtractiveSource> sources)
    {
        var candidates = sources
            .Select((source, rank) => (source, rank))
            .Where(s => !string.IsNullOrWhiteSpace(s.source.Text))
            .SelectMany(s => SplitSentences(s.source.Text).Select((text, position) =>
                new Sentence(s.source.Index, s.rank, position, text, TextTerms.Of(text))))
            .Where(s => s.Terms.Count > 0)
            .ToList();
        if (candidates.Count == 0) return [];

        var questionTerms = TextTerms.Of(question);
        var scored = Score(candidates, questionTerms, sources.Count);
        var relevant = scored.Where(s => s.Overlap > 0).OrderByDescending(s => s.Score).ThenBy(s => s.Sentence.SourceRank).ThenBy(s => s.Sentence.Position).ToList();
        if (relevant.Count == 0)
        {
            // Retrieval found these sources relevant without sharing words with the question (synonyms, vectors):
            // quote the opening of the best-ranked source rather than nothing.
            return candidates.Where(c => c.SourceRank == candidates[0].SourceRank).Take(MinSentences).ToList();
        }

        var picked = new List<ScoredSentence> { relevant[0] };
        var words = WordCount(relevant[0].Sentence.Text);
        // The best-ranked source with any match contributes at least its best sentence.
        var topSourceRank = relevant.Min(s => s.Sentence.SourceRank);
        var fromTop = relevant.First(s => s.Sentence.SourceRank == topSourceRank);
        if (fromTop != relevant[0] && !IsNearDuplicate(relevant[0].Sentence, fromTop.Sentence))
        {
            picked.Add(fromTop);
            words += WordCount(fromTop.Sentence.Text);
        }

        var floor = relevant[0].Score * ExtraSentenceFloor;
        foreach (var candidate in relevant)
        {
            if (picked.Count >= MaxSentences) break;
            if (picked.Count >= MinSentences && candidate.Score < floor) break;
            if (picked.Any(p => p == candidate || IsNearDuplicate(p.Sentence, candidate.Sentence))) continue;
            var n = WordCount(candidate.Sentence.Text);
            if (picked.Count >= 1 && words + n > MaxAnswerWords) continue;
            picked.Add(candidate);
            words += n;
        }
        return picked.OrderByDescending(p => p.Score).ThenBy(p => p.Sentence.SourceRank).ThenBy(p => p.Sentence.Position).Select(p => p.Sentence).ToList();
    }

    private static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>IDF-weighted share of the question's terms a sentence contains, plus the source-rank bonus.</summary>
    private static List<ScoredSentence> Score(List<Sentence> candidates, HashSet<string> questionTerms, int sourceCount)
    {
        var weights = questionTerms.ToDictionary(
            t => t,
            t => Math.Log(1 + (double)candidates.Count / (1 + candidates.Count(c => c.Terms.Contains(t)))));
        var total = weights.Values.Sum();
        return candidates.Select(c =>
        {
            var matched = questionTerms.Where(c.Terms.Contains).ToList();
            var coverage = total > 0 ? matched.Sum(t => weights[t]) / total : 0;
            var bonus = SourceRankBonus * (1 - (double)c.SourceRank / Math.Max(1, sourceCount));
            return new ScoredSentence(c, matched.Count, coverage + (matched.Count > 0 ? bonus : 0));
        }).ToList();
    }

    private static bool IsNearDuplicate(Sentence a, Sentence b)
    {
        var shared = a.Terms.Count(b.Terms.Contains);
        return (double)shared / (a.Terms.Count + b.Terms.Count - shared) >= NearDuplicateJaccard;
    }

    /// <summary>
    /// Whole sentences of a chunk, whitespace-normalised, citation-like "[n]" removed so none can be forged. Page
    /// furniture (running heads, page numbers, headings) is skipped; a paragraph that stops mid-sentence is joined to
    /// the next one that continues it (a page turn inside the chunk); what is still a fragment (the cut edges of the
    /// chunk) is dropped.
    /// </summary>
    internal static IEnumerable<string> SplitSentences(string text)
    {
        // The splitter chunking uses: abbreviations ("see p. 75", "Fig. 3", "viz.") and initials end no sentence.
        foreach (var paragraph in Paragraphs(text))
            foreach (var (start, end) in SentenceSplitter.Split(paragraph, 0, paragraph.Length))
                if (Clean(paragraph[start..end]) is { } sentence) yield return sentence;

        static string? Clean(string sentence)
        {
            var text = Whitespace().Replace(CitationLike().Replace(sentence, ""), " ").Trim();
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < MinWords || words.Length > MaxWords) return null;
            if (!WholeSentence().IsMatch(text) || text.Contains('[', StringComparison.Ordinal) || IsShouting(text) || IsTitleCase(text)) return null;
            return text;
        }
    }

    /// <summary>Paragraphs with furniture removed and page-turn breaks mended.</summary>
    private static List<string> Paragraphs(string text)
    {
        var result = new List<string>();
        foreach (var raw in ParagraphBreak().Split(text))
        {
            var p = Whitespace().Replace(raw, " ").Trim();
            if (p.Length == 0 || IsFurniture(p)) continue;
            if (result.Count > 0 && !EndsSentence().IsMatch(result[^1]) && StartsLower().IsMatch(p))
                result[^1] = $"{result[^1]} {p}";
            else result.Add(p);
        }
        return result;
    }

    /// <summary>A bare page number, a short line that is mostly capitals (running head, heading) or a chapter number.</summary>
    private static bool IsFurniture(string p) =>
        PageNumber().IsMatch(p) || (p.Split(' ').Length <= 12 && IsShouting(p)) || ChapterHeading().IsMatch(p);

    /// <summary>
    /// A byline or heading set as a sentence ("From WALTER MACFARREN, Professor of Pianoforte in the Royal Academy of
    /// Music."): most of its words after the first start with a capital. Prose that names people stays below that.
    /// </summary>
    private static bool IsTitleCase(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(w => w.TrimStart('"', '\'', '“', '‘', '(')).Where(w => w.Length > 0 && char.IsLetter(w[0])).ToList();
        return words.Count >= 5 && words.Count(w => char.IsUpper(w[0])) >= words.Count * 0.6;
    }

    private static bool IsShouting(string text)
    {
        int upper = 0, letters = 0;
        foreach (var ch in text)
        {
            if (!char.IsLetter(ch)) continue;
            letters++;
            if (char.IsUpper(ch)) upper++;
        }
        return letters >= 4 && upper > letters * 0.6;
    }

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex ParagraphBreak();


    /// <summary>Starts with a capital or digit (after an opening quote or bracket) and ends with sentence punctuation.</summary>
    [GeneratedRegex(@"^[""'“‘(]?[\p{Lu}\p{N}].*[.!?…][""'”’)]*$")]
    private static partial Regex WholeSentence();

    [GeneratedRegex(@"[.!?…:;][""'”’)]*$")]
    private static partial Regex EndsSentence();

    [GeneratedRegex(@"^[""'“‘(]?\p{Ll}")]
    private static partial Regex StartsLower();

    [GeneratedRegex(@"^(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$", RegexOptions.IgnoreCase)]
    private static partial Regex PageNumber();

    [GeneratedRegex(@"^(?:CHAPTER|Chapter|PART|Part)\s+[IVXLC\d]+\.?$")]
    private static partial Regex ChapterHeading();


    [GeneratedRegex(@"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")]
    private static partial Regex CitationLike();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    internal sealed record Sentence(int Citation, int SourceRank, int Position, string Text, HashSet<string> Terms);

    private sealed record ScoredSentence(Sentence Sentence, int Overlap, double Score);
}
