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
/// Thresholds calibrated for snowflake-arctic-embed-xs on the pedagogy eval set (258 questions, 23 uncovered; see
/// README "Confidence calibration"): LOW when the best passage's cosine similarity is below
/// <see cref="FloorSimilarity"/>, or below <see cref="LowSimilarity"/> while the vector and keyword top-3 share no
/// passage. Another embedding model needs its own values.
/// </summary>
public sealed class ConfidenceOptions
{
    public double FloorSimilarity { get; set; } = 0.56;
    public double LowSimilarity { get; set; } = 0.70;
    public double HighSimilarity { get; set; } = 0.66;
    /// <summary>Passages in both top-3 lists needed for HIGH (and, between the two similarity thresholds, for not-LOW).</summary>
    public int AgreementForHigh { get; set; } = 1;
    /// <summary>Lead of the best passage over the mean of the next four needed for HIGH.</summary>
    public double MarginForHigh { get; set; } = 0.03;
}
