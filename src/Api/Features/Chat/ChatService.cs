using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Chat;
using TeacherPlatform.Core.Errors;

namespace TeacherPlatform.Api.Features.Chat;

/// <summary>Validates a question, loads the session's recent turns, runs the RAG pipeline and stores the exchange.</summary>
public sealed class ChatService(ChatSessionStore sessions, IOptions<RagOptions> options, IOptions<JsonOptions> json)
{
    public const int MaxQueryLength = 2000;

    public sealed record Prepared(RagRequest Request, ChatSession? Session);

    public async Task<Prepared> PrepareAsync(Caller caller, ChatQueryRequest request, CancellationToken ct)
    {
        var o = options.Value;
        var v = new Validator();
        v.Required("query", request.Query, MaxQueryLength);
        v.Range("top_k", request.TopK, 1, o.MaxTopK);
        if (request.DocumentIds is { Length: > 100 }) v.Add("document_ids", "At most 100 document ids.");
        v.ThrowIfInvalid();
        ChatSession? session = null;
        IReadOnlyList<ChatTurn> history = [];
        if (request.SessionId is { } sid)
        {
            session = await sessions.GetOwnedAsync(sid, caller.Id, ct) ?? throw AppProblem.NotFound("Chat session");
            history = (await sessions.MessagesAsync(sid, o.HistoryMessages, ct)).Select(m => new ChatTurn(m.Role, m.Content)).ToList();
        }
        var docs = request.DocumentIds is { Length: > 0 } ids ? ids.ToHashSet() : null;
        return new Prepared(new RagRequest(caller.Id, request.Query!.Trim(), history, docs, request.TopK ?? o.DefaultTopK), session);
    }

    public async Task<Guid?> RecordAsync(Prepared prepared, RagAnswer answer, CancellationToken ct)
    {
        if (prepared.Session is null) return null;
        var sources = JsonSerializer.Serialize(answer.Sources, json.Value.SerializerOptions);
        return await sessions.AppendExchangeAsync(prepared.Session.Id, prepared.Request.Question, answer.Content, sources, answer.Confidence.ToString(), ct);
    }
}
