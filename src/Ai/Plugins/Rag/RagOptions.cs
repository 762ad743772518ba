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
/// Thresholds for snowflake-arctic-embed-xs (see README "Confidence calibration"; the topic-signal values come from
/// `evals -- calibrate --on gutenberg --objective target --target-uncovered 0.95`, odd question ids): no evidence (the not-covered
/// answer, no sources) when the best passage's cosine similarity is below <see cref="EvidenceSimilarity"/> and the
/// vector and keyword top-3 share no passage, or when no passage shares a word with the question and the similarity is
/// below <see cref="FloorSimilarity"/>; LOW (passages cited, evidence called weak) below
/// <see cref="FloorSimilarity"/>, or below <see cref="LowSimilarity"/> without that agreement. Another embedding
/// model needs its own values.
/// </summary>
public sealed class ConfidenceOptions
{
    /// <summary>Below this best-passage similarity, and with no passage in both top-3 lists, nothing relevant was found.</summary>
    public double EvidenceSimilarity { get; set; } = 0.50;
    public double FloorSimilarity { get; set; } = 0.64;
    public double LowSimilarity { get; set; } = 0.68;
    public double HighSimilarity { get; set; } = 0.64;
    /// <summary>Passages in both top-3 lists needed for HIGH (and, between the two similarity thresholds, for not-LOW).</summary>
    public int AgreementForHigh { get; set; } = 1;
    /// <summary>Lead of the best passage over the mean of the next four needed for HIGH.</summary>
    public double MarginForHigh { get; set; } = 0.0;
    /// <summary>Top passages searched for the question's informative terms (<see cref="TopicCoverage"/>); 0 turns the topic signal off.</summary>
    public int CoveragePassages { get; set; } = 3;
    /// <summary>Below this idf-weighted share of the question's terms found in the top passages, the answer is LOW (still cited).</summary>
    public double MinCoverage { get; set; } = 0.40;
    /// <summary>Above this idf-weighted share of the question's terms that no chunk of the corpus contains, the answer is LOW (still cited).</summary>
    public double MaxMissing { get; set; } = 0.60;
    /// <summary>Coverage needed for HIGH.</summary>
    public double CoverageForHigh { get; set; } = 0.0;
    /// <summary>
    /// From this coverage, with none of the question's terms absent from the corpus, a best-passage similarity below
    /// <see cref="FloorSimilarity"/> / <see cref="LowSimilarity"/> no longer makes the answer LOW (it is MEDIUM); above 1 = off.
    /// </summary>
    public double CoverageOverridesSimilarity { get; set; } = 0.40;
    /// <summary>Informative terms a question needs before <see cref="CoverageOverridesSimilarity"/> applies (a fragment is no topic).</summary>
    public int OverrideMinTerms { get; set; } = 3;
    /// <summary>
    /// Below this weighted share of the question's adjacent term pairs ("tuning hammer"; both terms in the top passages)
    /// that stand together in one top passage (within <see cref="PhraseWindow"/> tokens), the answer is LOW (still cited); 0 = off.
    /// </summary>
    public double MinPhraseCoverage { get; set; } = 0;
    /// <summary>Most token positions between a pair's two terms in a passage for the pair to count as together; 0 = anywhere in one passage.</summary>
    public int PhraseWindow { get; set; } = 0;
    /// <summary>
    /// Diagnostics for calibration (the evals turn it on): JSON answers carry the evidence figures in the
    /// <c>X-Confidence-Evidence</c> response header. Off in production: it describes the corpus' vocabulary.
    /// </summary>
    public bool ExposeEvidence { get; set; }
}
