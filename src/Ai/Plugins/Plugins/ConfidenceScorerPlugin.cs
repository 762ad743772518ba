using System.ComponentModel;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using TeacherPlatform.Ai.Rag;

namespace TeacherPlatform.Ai.Plugins;

/// <summary>
/// HIGH/MEDIUM/LOW from retrieval evidence alone: how similar the best passage is to the question (cosine), how far
/// it stands above the rest, and whether the vector and keyword retrievers agree on the top passages. Evidence decides
/// how an answer is framed, not whether relevant material is shown: only when nothing relevant was found
/// (<see cref="ConfidenceAssessment.HasEvidence"/> false) does the assistant give the not-covered answer.
/// </summary>
public sealed class ConfidenceScorerPlugin(IOptions<RagOptions> options)
{
    [KernelFunction("score_confidence")]
    [Description("Rates how well the retrieved passages support an answer: HIGH, MEDIUM or LOW, and whether anything relevant was found.")]
    public ConfidenceAssessment Score([Description("Passages in ranked order")] IReadOnlyList<RetrievedChunk> chunks) =>
        Assess(chunks, options.Value.Confidence);

    public static ConfidenceAssessment Assess(IReadOnlyList<RetrievedChunk> chunks, ConfidenceOptions o)
    {
        if (chunks.Count == 0) return new(Confidence.LOW, 0, 0, 0, "no passages retrieved", HasEvidence: false);

        var similarities = chunks.Where(c => c.VectorSimilarity is not null).Select(c => c.VectorSimilarity!.Value).OrderDescending().ToList();
        var top = similarities.Count > 0 ? similarities[0] : 0;
        var rest = similarities.Skip(1).Take(4).ToList();
        var margin = rest.Count > 0 ? top - rest.Average() : top;
        // Agreement: passages both retrievers put in their top 3 (independent evidence that the passage is on topic).
        var agreement = chunks.Count(c => c.VectorRank is <= 3 && c.KeywordRank is <= 3);
        var keywordMatched = chunks.Any(c => c.KeywordRank is not null);
        return Classify(top, margin, agreement, keywordMatched, o);
    }

    /// <summary>The decision itself, on the three evidence figures (the evals calibrate the thresholds with it).</summary>
    public static ConfidenceAssessment Classify(double top, double margin, int agreement, bool keywordMatched, ConfidenceOptions o)
    {
        if (top < o.EvidenceSimilarity && agreement == 0)
            return new(Confidence.LOW, top, margin, agreement,
                $"best passage similarity {top:F2} is below {o.EvidenceSimilarity:F2} and no passage is in both top-3 lists: nothing relevant", HasEvidence: false);
        // Off-topic questions share no word with any passage: then only a clearly similar passage counts as evidence.
        if (!keywordMatched && top < o.FloorSimilarity)
            return new(Confidence.LOW, top, margin, agreement,
                $"no passage shares a word with the question and similarity {top:F2} is below {o.FloorSimilarity:F2}: nothing relevant", HasEvidence: false);
        if (top < o.FloorSimilarity)
            return new(Confidence.LOW, top, margin, agreement, $"best passage similarity {top:F2} is below {o.FloorSimilarity:F2}: weak evidence");
        if (top < o.LowSimilarity && agreement == 0)
            return new(Confidence.LOW, top, margin, agreement, $"similarity {top:F2} without agreement between vector and keyword search: weak evidence");
        if (top >= o.HighSimilarity && agreement >= o.AgreementForHigh && margin >= o.MarginForHigh)
            return new(Confidence.HIGH, top, margin, agreement, "strong, distinct passage confirmed by keyword search");
        return new(Confidence.MEDIUM, top, margin, agreement, "relevant passages found, with partial agreement");
    }
}
