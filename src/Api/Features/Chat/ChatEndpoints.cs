using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Chat;
using TeacherPlatform.Core.Common;

namespace TeacherPlatform.Api.Features.Chat;

/// <summary>The assistant and the caller's chat sessions. Rules (validation, session ownership) are in <see cref="ChatService"/>.</summary>
public static class ChatEndpoints
{
    public const string EvidenceHeader = "X-Confidence-Evidence";

    public static IServiceCollection AddChat(this IServiceCollection services)
    {
        services.AddSingleton<ChatSessionStore>();
        services.AddScoped<ChatService>();
        return services;
    }

    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/chat").WithTags("Assistant");

        group.MapPost("/query", QueryAsync).WithName("AskAssistant")
            .WithSummary("Ask the assistant: JSON by default, Server-Sent Events with Accept: text/event-stream")
            .Produces<ChatQueryResponse>().Produces(200, contentType: ChatStreaming.ContentType)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(502).ProducesProblem(504);
        group.MapPost("/sessions", CreateSessionAsync).WithName("CreateChatSession")
            .WithSummary("Start a conversation whose turns the assistant remembers")
            .ProducesProblem(400);
        group.MapGet("/sessions", ListSessionsAsync).WithName("ListChatSessions")
            .WithSummary("The caller's conversations")
            .ProducesProblem(400);
        group.MapGet("/sessions/{id:guid}", GetSessionAsync).WithName("GetChatSession")
            .WithSummary("A conversation with its messages")
            .ProducesProblem(404);
        group.MapDelete("/sessions/{id:guid}", DeleteSessionAsync).WithName("DeleteChatSession")
            .WithSummary("Delete a conversation")
            .ProducesProblem(404);
        return app;
    }

    public static async Task<Results<Ok<ChatQueryResponse>, EmptyHttpResult>> QueryAsync(ChatQueryRequest request, Caller caller, HttpContext http,
        ChatService chat, IOptions<JsonOptions> json, IOptions<RagOptions> rag, ILoggerFactory loggers, CancellationToken ct)
    {
        var prepared = await chat.PrepareAsync(caller, request, ct);
        if (!ChatStreaming.Wants(http.Request))
        {
            var answer = await chat.AnswerAsync(prepared, ct);
            // Calibration diagnostics (evals). A header value must be ASCII: the default encoder escapes the rest ("étude").
            if (rag.Value.Confidence.ExposeEvidence && answer.Assessment is { } a)
                http.Response.Headers[EvidenceHeader] = JsonSerializer.Serialize(new { figures = a.Figures, topic = a.Topic, has_evidence = a.HasEvidence },
                    new JsonSerializerOptions(json.Value.SerializerOptions) { Encoder = JavaScriptEncoder.Default });
            return TypedResults.Ok(answer);
        }

        await ChatStreaming.StreamAsync(http, prepared, chat, json.Value.SerializerOptions, loggers.CreateLogger("TeacherPlatform.Chat"), ct);
        return TypedResults.Empty;
    }

    public static async Task<Created<ChatSessionResponse>> CreateSessionAsync(CreateSessionRequest? request, Caller caller, ChatService chat, CancellationToken ct)
    {
        var session = await chat.CreateSessionAsync(request, caller, ct);
        return TypedResults.Created($"/api/chat/sessions/{session.Id}", session);
    }

    public static async Task<Ok<PagedList<ChatSessionResponse>>> ListSessionsAsync(int? page, int? page_size, Caller caller, ChatService chat, CancellationToken ct) =>
        TypedResults.Ok(await chat.ListSessionsAsync(page, page_size, caller, ct));

    public static async Task<Ok<ChatSessionDetailResponse>> GetSessionAsync(Guid id, Caller caller, ChatService chat, CancellationToken ct) =>
        TypedResults.Ok(await chat.GetSessionAsync(id, caller, ct));

    public static async Task<NoContent> DeleteSessionAsync(Guid id, Caller caller, ChatService chat, CancellationToken ct)
    {
        await chat.DeleteSessionAsync(id, caller, ct);
        return TypedResults.NoContent();
    }
}
