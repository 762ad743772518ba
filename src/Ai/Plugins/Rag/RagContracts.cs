using System.Text.Json.Serialization;

namespace TeacherPlatform.Ai.Rag;

[JsonConverter(typeof(JsonStringEnumConverter<Confidence>))]
public enum Confidence { LOW, MEDIUM, HIGH }

/// <summary>A retrieved chunk with the evidence of both retrievers.</summary>
public sealed record RetrievedChunk(
    Guid ChunkId, Guid DocumentId, string Title, string SourceType, int PageNumber, int PageEnd, double? StartSeconds,
    string Text, string Snippet, double Score, int? VectorRank, int? KeywordRank, double? VectorSimilarity, double? KeywordScore);

/// <summary>A numbered source as clients see it and the answer cites it ([Index]).</summary>
public sealed record Source(
    int Index, Guid DocumentId, string Title, string SourceType, int PageNumber, int PageEnd, double? StartSeconds,
    Guid ChunkId, string Snippet, double Score);

public sealed record CitationSet(IReadOnlyList<Source> Sources, IReadOnlyList<RetrievedChunk> Chunks, string Context);

/// <summary>
/// How well the passages support an answer. <paramref name="HasEvidence"/> false means nothing relevant was found: the
/// only case that gets the not-covered answer without sources. A LOW level with evidence still cites its passages.
/// </summary>
public sealed record ConfidenceAssessment(Confidence Level, double TopSimilarity, double Margin, double Agreement, string Reason, bool HasEvidence = true)
{
    /// <summary>The figures the decision was made on (diagnostics and offline calibration; see Rag:Confidence:ExposeEvidence).</summary>
    public Plugins.EvidenceFigures? Figures { get; init; }
    public TopicEvidence? Topic { get; init; }
}

public sealed record ChatTurn(string Role, string Content);

public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens);

/// <summary>Everything the assistant needs for one question.</summary>
public sealed record RagRequest(Guid ViewerId, string Question, IReadOnlyList<ChatTurn> History, IReadOnlyCollection<Guid>? DocumentIds, int TopK);

/// <summary>The answer as stored and cached (the JSON response body, less session fields).</summary>
public sealed record RagAnswer(string Content, IReadOnlyList<Source> Sources, Confidence Confidence, Usage? Usage, bool FromCache, string StandaloneQuery,
    ConfidenceAssessment? Assessment = null);

/// <summary>Streaming events, in order: Sources, Token*, Done (or Error).</summary>
public abstract record RagEvent;
public sealed record SourcesEvent(IReadOnlyList<Source> Sources, Confidence Confidence) : RagEvent;
public sealed record TokenEvent(string Text) : RagEvent;
public sealed record DoneEvent(RagAnswer Answer) : RagEvent;
