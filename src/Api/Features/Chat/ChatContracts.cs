using System.Text.Json;
using System.Text.Json.Nodes;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Core.Chat;

namespace TeacherPlatform.Api.Features.Chat;

public sealed record ChatQueryRequest(string? Query, Guid? SessionId, Guid[]? DocumentIds, int? TopK);

public sealed record ChatQueryResponse(string Content, IReadOnlyList<Source> Sources, Confidence Confidence, Guid? SessionId, Guid? MessageId, Usage? Usage, bool Cached)
{
    /// <summary>Not part of the body: the evidence behind <see cref="Confidence"/>, for the opt-in diagnostics header.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ConfidenceAssessment? Assessment { get; init; }
}

public sealed record CreateSessionRequest(string? Title);

public sealed record ChatSessionResponse(Guid Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ChatSessionResponse From(ChatSession s) => new(s.Id, s.Title, s.CreatedAt, s.UpdatedAt);
}

public sealed record ChatMessageResponse(Guid Id, string Role, string Content, JsonNode? Sources, string? Confidence, DateTimeOffset CreatedAt)
{
    public static ChatMessageResponse From(ChatMessageRow m) =>
        new(m.Id, m.Role, m.Content, m.Sources is null ? null : JsonNode.Parse(m.Sources), m.Confidence, m.CreatedAt);
}

public sealed record ChatSessionDetailResponse(Guid Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<ChatMessageResponse> Messages);

public sealed record SourcesPayload(IReadOnlyList<Source> Sources, Confidence Confidence, Guid? SessionId);
public sealed record TokenPayload(string Text);
public sealed record DonePayload(Confidence Confidence, Guid? MessageId, Usage? Usage, bool Cached);
public sealed record ErrorPayload(string Code, string Message);

internal static class ChatJson
{
    public static string Serialize<T>(T value, JsonSerializerOptions options) => JsonSerializer.Serialize(value, options);
}
