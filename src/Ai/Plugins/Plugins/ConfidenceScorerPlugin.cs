using System.ComponentModel;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using TeacherPlatform.Ai.Rag;

namespace TeacherPlatform.Ai.Plugins;

/// <summary>
/// HIGH/MEDIUM/LOW from retrieval evidence alone: how similar the best passage is to the question (cosine), how far
/// it stands above the rest, and whether the vector and keyword retrievers agree on the top passages.
/// </summary>
public sealed class ConfidenceScorerPlugin(IOptions<RagOptions> options)
{
    [KernelFunction("score_confidence")]
    [Description("Rates how well the retrieved passages support an answer: HIGH, MEDIUM or LOW.")]
    public ConfidenceAssessment Score([Description("Passages in ranked order")] IReadOnlyList<RetrievedChunk> chunks)
    {
        var o = options.Value.Confidence;
        if (chunks.Count == 0) return new(Confidence.LOW, 0, 0, 0, "no passages retrieved");

        var similarities = chunks.Where(c => c.VectorSimilarity is not null).Select(c => c.VectorSimilarity!.Value).OrderDescending().ToList();
        var top = similarities.Count > 0 ? similarities[0] : 0;
        var rest = similarities.Skip(1).Take(4).ToList();
        var margin = rest.Count > 0 ? top - rest.Average() : top;
        var vectorTop = chunks.Where(c => c.VectorRank is <= 5).Select(c => c.ChunkId).ToHashSet();
        var keywordTop = chunks.Where(c => c.KeywordRank is <= 5).Select(c => c.ChunkId).ToHashSet();
        var agreement = vectorTop.Count == 0 ? 0 : vectorTop.Count(keywordTop.Contains) / (double)Math.Min(5, Math.Max(vectorTop.Count, 1));
        var bestInBoth = chunks[0].VectorRank is not null && chunks[0].KeywordRank is not null;

        if (top < o.FloorSimilarity)
            return new(Confidence.LOW, top, margin, agreement, $"best passage similarity {top:F2} is below {o.FloorSimilarity:F2}");
        if (top < o.LowSimilarity && !(bestInBoth && agreement >= o.AgreementForHigh))
            return new(Confidence.LOW, top, margin, agreement, $"weak similarity {top:F2} and the keyword search does not confirm it");
        if (top >= o.HighSimilarity && bestInBoth && agreement >= o.AgreementForHigh)
            return new(Confidence.HIGH, top, margin, agreement, "strong similarity confirmed by keyword search");
        return new(Confidence.MEDIUM, top, margin, agreement, "relevant passages found, with partial agreement");
    }
}
