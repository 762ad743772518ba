using System.Text;
using System.Text.RegularExpressions;

namespace TeacherPlatform.Ai.Connectors;

/// <summary>Wording of extractive answers; the orchestrator may override it from the prompt files.</summary>
public sealed record ExtractiveAnswerWording(
    string Prefix = "Extractive answer (no language model configured), quoted from the sources:",
    string NoSources = "Extractive answer (no language model configured): no sources were found for this question, so there is nothing to quote.");

/// <summary>
/// Builds an answer from the sentences of the sources that best match the question: nothing is generated,
/// every sentence is quoted verbatim (whitespace normalised) and followed by the number of its source.
/// </summary>
public static partial class ExtractiveAnswerBuilder
{
    public const int MinSentences = 2;
    public const int MaxSentences = 4;

    /// <summary>Earlier sources ranked higher in retrieval: worth a little, never more than a matching term.</summary>
    private const double SourceRankBonus = 0.05;

    /// <summary>Sentences sharing this much of their vocabulary say the same thing (overlapping chunks repeat text).</summary>
    private const double NearDuplicateJaccard = 0.7;

    /// <summary>Past the first <see cref="MinSentences"/>, a sentence must score this fraction of the best one.</summary>
    private const double ExtraSentenceFloor = 0.5;

    private const int MinWords = 3;
    private const int MaxWords = 80;

    public static string Build(string question, IReadOnlyList<ExtractiveSource> sources, ExtractiveAnswerWording? wording = null)
    {
        wording ??= new ExtractiveAnswerWording();
        var picked = Select(question, sources);
        if (picked.Count == 0) return wording.NoSources;

        var answer = new StringBuilder(wording.Prefix);
        foreach (var group in picked.GroupBy(s => s.SourceRank).OrderBy(g => g.Key))
        {
            answer.Append("\n\n");
            answer.AppendJoin(' ', group.OrderBy(s => s.Position).Select(s => $"{s.Text} [{s.Citation}]"));
        }
        return answer.ToString();
    }

    /// <summary>The chosen sentences, in no particular order.</summary>
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

        var picked = new List<Sentence> { relevant[0].Sentence };
        // The best-ranked source with any match contributes at least its best sentence.
        var topSourceRank = relevant.Min(s => s.Sentence.SourceRank);
        if (relevant.First(s => s.Sentence.SourceRank == topSourceRank) is var fromTop && !picked.Contains(fromTop.Sentence))
            picked.Add(fromTop.Sentence);

        var floor = relevant[0].Score * ExtraSentenceFloor;
        foreach (var candidate in relevant)
        {
            if (picked.Count >= MaxSentences) break;
            if (picked.Count >= MinSentences && candidate.Score < floor) break;
            if (picked.Any(p => p == candidate.Sentence || IsNearDuplicate(p, candidate.Sentence))) continue;
            picked.Add(candidate.Sentence);
        }
        return picked;
    }

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

    /// <summary>Sentences of a chunk, whitespace-normalised, citation-like "[n]" removed so none can be forged.</summary>
    internal static IEnumerable<string> SplitSentences(string text)
    {
        foreach (var paragraph in ParagraphBreak().Split(text))
        {
            var pending = "";
            foreach (var piece in SentenceBreak().Split(Whitespace().Replace(paragraph, " ").Trim()))
            {
                pending = pending.Length == 0 ? piece : $"{pending} {piece}";
                if (Abbreviation().IsMatch(pending)) continue;
                if (Clean(pending) is { } sentence) yield return sentence;
                pending = "";
            }
            if (pending.Length > 0 && Clean(pending) is { } rest) yield return rest;
        }

        static string? Clean(string sentence)
        {
            var text = Whitespace().Replace(CitationLike().Replace(sentence, ""), " ").Trim();
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < MinWords) return null;
            return words.Length <= MaxWords ? text : string.Join(' ', words.Take(MaxWords)) + " …";
        }
    }

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex ParagraphBreak();

    [GeneratedRegex(@"(?<=[.!?…][""'”’)\]]*)\s+(?=[""'“‘(\[]?[\p{Lu}\p{N}])")]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"\b(?:e\.g|i\.e|vs|cf|approx|Mr|Mrs|Ms|Dr|St|No|Op|Fig)\.$")]
    private static partial Regex Abbreviation();

    [GeneratedRegex(@"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")]
    private static partial Regex CitationLike();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    internal sealed record Sentence(int Citation, int SourceRank, int Position, string Text, HashSet<string> Terms);

    private sealed record ScoredSentence(Sentence Sentence, int Overlap, double Score);
}
