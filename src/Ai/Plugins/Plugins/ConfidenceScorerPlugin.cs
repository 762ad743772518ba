using System.ComponentModel;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.Ai.Plugins;

/// <summary>
/// The figures the confidence decision uses: best-passage cosine, its lead over the next four, passages in both
/// retrievers' top 3, whether any passage shares a word with the question, and the topic signal
/// (<see cref="TopicCoverage"/>: idf-weighted share of the question's terms in the top passages / absent from the corpus).
/// Coverage and Missing are null when there is no topic signal (no informative term, or the signal is off).
/// </summary>
public sealed record EvidenceFigures(double TopSimilarity, double Margin, int Agreement, bool KeywordMatched, double? Coverage = null, double? Missing = null, int Terms = 0,
    double? PhraseCoverage = null);

/// <summary>
/// HIGH/MEDIUM/LOW from retrieval evidence alone: how similar the best passage is to the question (cosine), how far
/// it stands above the rest, whether the vector and keyword retrievers agree on the top passages, and whether the
/// question's own subject words are in the top passages at all. Evidence decides how an answer is framed, not whether
/// relevant material is shown: only when nothing relevant was found (<see cref="ConfidenceAssessment.HasEvidence"/>
/// false) does the assistant give the not-covered answer.
/// </summary>
public sealed class ConfidenceScorerPlugin(IOptions<RagOptions> options, IKnowledgeIndex index)
{
    [KernelFunction("score_confidence")]
    [Description("Rates how well the retrieved passages support an answer: HIGH, MEDIUM or LOW, and whether anything relevant was found.")]
    public async Task<ConfidenceAssessment> ScoreAsync(
        [Description("The standalone question")] string question,
        [Description("Passages in ranked order")] IReadOnlyList<RetrievedChunk> chunks,
        CancellationToken cancellationToken = default)
    {
        var o = options.Value.Confidence;
        var topic = TopicEvidence.None;
        var parsed = TopicCoverage.Parse(question);
        if (chunks.Count > 0 && parsed.Terms.Count > 0 && o.CoveragePassages > 0)
        {
            var stats = await index.TermStatisticsAsync(parsed.Terms, cancellationToken);
            topic = TopicCoverage.Measure(parsed, stats, chunks.Take(o.CoveragePassages).Select(c => c.Text).ToList(), o.PhraseWindow);
        }
        return Assess(chunks, o, topic);
    }

    public static ConfidenceAssessment Assess(IReadOnlyList<RetrievedChunk> chunks, ConfidenceOptions o, TopicEvidence? topic = null)
    {
        if (chunks.Count == 0) return new(Confidence.LOW, 0, 0, 0, "no passages retrieved", HasEvidence: false);

        var similarities = chunks.Where(c => c.VectorSimilarity is not null).Select(c => c.VectorSimilarity!.Value).OrderDescending().ToList();
        var top = similarities.Count > 0 ? similarities[0] : 0;
        var rest = similarities.Skip(1).Take(4).ToList();
        var margin = rest.Count > 0 ? top - rest.Average() : top;
        // Agreement: passages both retrievers put in their top 3 (independent evidence that the passage is on topic).
        var agreement = chunks.Count(c => c.VectorRank is <= 3 && c.KeywordRank is <= 3);
        var keywordMatched = chunks.Any(c => c.KeywordRank is not null);
        topic ??= TopicEvidence.None;
        var measured = topic.Terms > 0;
        var figures = new EvidenceFigures(Math.Round(top, 5), Math.Round(margin, 5), agreement, keywordMatched,
            measured ? topic.Coverage : null, measured ? topic.Missing : null, topic.Terms, measured ? topic.PhraseCoverage : null);
        return Classify(figures, o) with { Figures = figures, Topic = topic };
    }

    /// <summary>The similarity-only decision (the topic signal neutral).</summary>
    public static ConfidenceAssessment Classify(double top, double margin, int agreement, bool keywordMatched, ConfidenceOptions o) =>
        Classify(new EvidenceFigures(top, margin, agreement, keywordMatched), o);

    /// <summary>The decision itself, on the evidence figures (the evals calibrate the thresholds with it).</summary>
    public static ConfidenceAssessment Classify(EvidenceFigures f, ConfidenceOptions o)
    {
        var (top, margin, agreement) = (f.TopSimilarity, f.Margin, f.Agreement);
        if (top < o.EvidenceSimilarity && agreement == 0)
            return new(Confidence.LOW, top, margin, agreement,
                $"best passage similarity {top:F2} is below {o.EvidenceSimilarity:F2} and no passage is in both top-3 lists: nothing relevant", HasEvidence: false);
        // Off-topic questions share no word with any passage: then only a clearly similar passage counts as evidence.
        if (!f.KeywordMatched && top < o.FloorSimilarity)
            return new(Confidence.LOW, top, margin, agreement,
                $"no passage shares a word with the question and similarity {top:F2} is below {o.FloorSimilarity:F2}: nothing relevant", HasEvidence: false);
        // Similar passages about something else: the question's subject words are not in them, or not in the corpus.
        if (f.Coverage is { } coverage && (coverage < o.MinCoverage || f.Missing > o.MaxMissing))
            return new(Confidence.LOW, top, margin, agreement,
                $"the top passages hold {coverage:P0} of the question's informative terms ({f.Missing:P0} are in no passage of the corpus): weak evidence");
        // Passages that share the question's words but not its compound subject ("tuning hammer", "broken string").
        if (f.PhraseCoverage is { } phrase && phrase < o.MinPhraseCoverage)
            return new(Confidence.LOW, top, margin, agreement,
                $"the top passages hold {phrase:P0} of the question's word pairs together: they share its words, not its subject: weak evidence");
        // Short questions reach a low cosine even on the right page: when the top passages hold the question's own
        // terms (and the corpus lacks none of them), a low similarity alone does not make the answer LOW.
        // A fragment ("And the left hand?") is not a topic: it needs a few terms.
        var onTopic = f.Coverage >= o.CoverageOverridesSimilarity && f.Missing <= 0 && f.Terms >= o.OverrideMinTerms;
        if (top < o.FloorSimilarity && !onTopic)
            return new(Confidence.LOW, top, margin, agreement, $"best passage similarity {top:F2} is below {o.FloorSimilarity:F2}: weak evidence");
        if (top < o.LowSimilarity && agreement == 0 && !onTopic)
            return new(Confidence.LOW, top, margin, agreement, $"similarity {top:F2} without agreement between vector and keyword search: weak evidence");
        if (top >= o.HighSimilarity && agreement >= o.AgreementForHigh && margin >= o.MarginForHigh && (f.Coverage ?? 1) >= o.CoverageForHigh)
            return new(Confidence.HIGH, top, margin, agreement, "strong, distinct passage confirmed by keyword search, on the question's subject");
        return new(Confidence.MEDIUM, top, margin, agreement, "relevant passages found, with partial agreement");
    }
}
