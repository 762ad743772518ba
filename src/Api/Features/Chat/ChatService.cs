using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Connectors;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Api.Features.Search;
using TeacherPlatform.Core.Chat;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Errors;

namespace TeacherPlatform.Api.Features.Chat;

/// <summary>
/// Validates a question (with the same rules as search), loads the session's recent turns, runs the RAG pipeline and
/// stores the exchange; and the caller's own chat sessions.
/// </summary>
public sealed class ChatService(ChatSessionStore sessions, RagOrchestrator rag, IOptions<RagOptions> options, IOptions<JsonOptions> json)
{
    public sealed record Prepared(RagRequest Request, ChatSession? Session);

    public async Task<Prepared> PrepareAsync(Caller caller, ChatQueryRequest request, CancellationToken ct)
    {
        var o = options.Value;
        new Validator().QueryAndTopK(request.Query, request.TopK, o.MaxTopK).DocumentIds(request.DocumentIds).ThrowIfInvalid();
        ChatSession? session = null;
        IReadOnlyList<ChatTurn> history = [];
        if (request.SessionId is { } sid)
        {
            session = await sessions.GetOwnedAsync(sid, caller.Id, ct) ?? throw AppProblem.NotFound("Chat session");
            history = (await sessions.MessagesAsync(sid, o.HistoryMessages, ct)).Select(m => new ChatTurn(m.Role, m.Content)).ToList();
        }
        return new Prepared(new RagRequest(caller.Id, request.Query!.Trim(), history, SearchQuery.Scope(request.DocumentIds), request.TopK ?? o.DefaultTopK), session);
    }

    /// <summary>The whole answer at once; a failing model is a 502 (504 on its deadline) with the stream's error code.</summary>
    public async Task<ChatQueryResponse> AnswerAsync(Prepared prepared, CancellationToken ct)
    {
        RagAnswer answer;
        try { answer = await rag.AnswerAsync(prepared.Request, ct); }
        catch (Exception ex) when (ErrorFor(ex) is { } error)
        {
            throw new AppProblem(ex is LlmTimeoutException ? 504 : 502, error.Code, "The language model failed", error.Message);
        }
        var messageId = await RecordAsync(prepared, answer, ct);
        return new ChatQueryResponse(answer.Content, answer.Sources, answer.Confidence, prepared.Session?.Id, messageId, answer.Usage, answer.FromCache)
        {
            Assessment = answer.Assessment,
        };
    }

    public IAsyncEnumerable<RagEvent> StreamAsync(Prepared prepared, CancellationToken ct) => rag.StreamAsync(prepared.Request, ct);

    public async Task<Guid?> RecordAsync(Prepared prepared, RagAnswer answer, CancellationToken ct)
    {
        if (prepared.Session is null) return null;
        var sources = JsonSerializer.Serialize(answer.Sources, json.Value.SerializerOptions);
        return await sessions.AppendExchangeAsync(prepared.Session.Id, prepared.Request.Question, answer.Content, sources, answer.Confidence.ToString(), ct);
    }

    /// <summary>The client-facing error of a model failure; null for anything else (a bug, logged as such).</summary>
    public static ErrorPayload? ErrorFor(Exception ex) => ex switch
    {
        LlmTimeoutException => new ErrorPayload("llm_timeout", "The language model did not answer in time."),
        LlmStreamException => new ErrorPayload("llm_stream_failed", "The language model stopped in the middle of the answer."),
        LlmServiceException => new ErrorPayload("llm_unavailable", "The language model is unavailable."),
        HttpRequestException => new ErrorPayload("llm_unavailable", "The language model could not be reached."),
        _ => null,
    };

    public async Task<ChatSessionResponse> CreateSessionAsync(CreateSessionRequest? request, Caller caller, CancellationToken ct)
    {
        new Validator().Optional("title", request?.Title, 200).ThrowIfInvalid();
        var title = string.IsNullOrWhiteSpace(request?.Title) ? "New conversation" : request.Title.Trim();
        return ChatSessionResponse.From(await sessions.CreateAsync(caller.Id, title, ct));
    }

    public async Task<PagedList<ChatSessionResponse>> ListSessionsAsync(int? page, int? pageSize, Caller caller, CancellationToken ct)
    {
        var list = await sessions.ListAsync(caller.Id, PageRequest.From(page, pageSize), ct);
        return new PagedList<ChatSessionResponse>(list.Items.Select(ChatSessionResponse.From).ToList(), list.Page, list.PageSize, list.Total);
    }

    public async Task<ChatSessionDetailResponse> GetSessionAsync(Guid id, Caller caller, CancellationToken ct)
    {
        var session = await sessions.GetOwnedAsync(id, caller.Id, ct) ?? throw AppProblem.NotFound("Chat session");
        var messages = await sessions.MessagesAsync(id, null, ct);
        return new ChatSessionDetailResponse(session.Id, session.Title, session.CreatedAt, session.UpdatedAt, messages.Select(ChatMessageResponse.From).ToList());
    }

    public async Task DeleteSessionAsync(Guid id, Caller caller, CancellationToken ct)
    {
        if (!await sessions.DeleteAsync(id, caller.Id, ct)) throw AppProblem.NotFound("Chat session");
    }
}
