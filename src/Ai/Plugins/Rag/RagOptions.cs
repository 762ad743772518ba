namespace TeacherPlatform.Ai.Rag;

public sealed class RagOptions
{
    public const string Section = "Rag";
    public int DefaultTopK { get; set; } = 6;
    public int MaxTopK { get; set; } = 12;
    /// <summary>Conversation turns (user + assistant messages) used for follow-up rewriting and as prompt context.</summary>
    public int HistoryMessages { get; set; } = 6;
    public TimeSpan AnswerCacheDuration { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan SearchCacheDuration { get; set; } = TimeSpan.FromMinutes(10);
    public ConfidenceOptions Confidence { get; set; } = new();
    /// <summary>Chunks whose word-shingle Jaccard similarity exceeds this are near-duplicates; the lower-ranked one is dropped.</summary>
    public double DuplicateThreshold { get; set; } = 0.8;
}

/// <summary>
/// Thresholds on the cosine similarity of the best vector hit, calibrated for snowflake-arctic-embed-xs on the
/// pedagogy eval set (README "Confidence calibration"); another embedding model needs its own values.
/// </summary>
public sealed class ConfidenceOptions
{
    /// <summary>Below this top similarity the evidence is LOW whatever the keyword list says.</summary>
    public double FloorSimilarity { get; set; } = 0.50;
    /// <summary>Below this, LOW unless the keyword retriever agrees on the top hits.</summary>
    public double LowSimilarity { get; set; } = 0.58;
    /// <summary>At or above this, with agreement, HIGH.</summary>
    public double HighSimilarity { get; set; } = 0.66;
    /// <summary>Share of the top-5 vector hits also in the top-5 keyword hits needed to call the lists in agreement.</summary>
    public double AgreementForHigh { get; set; } = 0.4;
}
