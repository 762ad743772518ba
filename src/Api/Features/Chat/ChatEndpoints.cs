using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Connectors;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Chat;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Errors;

namespace TeacherPlatform.Api.Features.Chat;

public static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChatEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/chat").WithTags("Assistant").RequireAuthorization();

        group.MapPost("/query", QueryAsync)
            .WithSummary("Ask the assistant: JSON by default, Server-Sent Events with Accept: text/event-stream")
            .Produces<ChatQueryResponse>().Produces(200, contentType: "text/event-stream");

        group.MapPost("/sessions", async (CreateSessionRequest? request, HttpContext http, ChatSessionStore store, CancellationToken ct) =>
        {
            var v = new Validator();
            v.Optional("title", request?.Title, 200);
            v.ThrowIfInvalid();
            var title = string.IsNullOrWhiteSpace(request?.Title) ? "New conversation" : request.Title.Trim();
            var session = await store.CreateAsync(Caller.From(http.User).Id, title, ct);
            return TypedResults.Created($"/api/chat/sessions/{session.Id}", ChatSessionResponse.From(session));
        });

        group.MapGet("/sessions", async (HttpContext http, ChatSessionStore store, int? page, int? page_size, CancellationToken ct) =>
        {
            var list = await store.ListAsync(Caller.From(http.User).Id, PageRequest.From(page, page_size), ct);
            return TypedResults.Ok(new PagedList<ChatSessionResponse>(list.Items.Select(ChatSessionResponse.From).ToList(), list.Page, list.PageSize, list.Total));
        });

        group.MapGet("/sessions/{id:guid}", async (Guid id, HttpContext http, ChatSessionStore store, CancellationToken ct) =>
        {
            var session = await store.GetOwnedAsync(id, Caller.From(http.User).Id, ct) ?? throw AppProblem.NotFound("Chat session");
            var messages = await store.MessagesAsync(id, null, ct);
            return TypedResults.Ok(new ChatSessionDetailResponse(session.Id, session.Title, session.CreatedAt, session.UpdatedAt,
                messages.Select(ChatMessageResponse.From).ToList()));
        });

        group.MapDelete("/sessions/{id:guid}", async (Guid id, HttpContext http, ChatSessionStore store, CancellationToken ct) =>
        {
            if (!await store.DeleteAsync(id, Caller.From(http.User).Id, ct)) throw AppProblem.NotFound("Chat session");
            return TypedResults.NoContent();
        });
        return app;
    }

    private static async Task<IResult> QueryAsync(ChatQueryRequest request, HttpContext http, ChatService chat, RagOrchestrator rag,
        IOptions<JsonOptions> json, ILoggerFactory loggers, CancellationToken ct)
    {
        var prepared = await chat.PrepareAsync(Caller.From(http.User), request, ct);
        var wantsStream = http.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
        if (!wantsStream)
        {
            RagAnswer answer;
            try { answer = await rag.AnswerAsync(prepared.Request, ct); }
            catch (Exception ex) when (ToError(ex) is { } error)
            {
                throw new AppProblem(ex is LlmTimeoutException ? 504 : 502, error.Code, "The language model failed", error.Message);
            }
            var messageId = await chat.RecordAsync(prepared, answer, ct);
            return TypedResults.Ok(new ChatQueryResponse(answer.Content, answer.Sources, answer.Confidence, prepared.Session?.Id, messageId, answer.Usage, answer.FromCache));
        }

        await StreamAsync(http, prepared, chat, rag, json.Value.SerializerOptions, loggers.CreateLogger("TeacherPlatform.Chat"), ct);
        return Results.Empty;
    }

    /// <summary>
    /// Server-Sent Events: sources, token*, done | error. The request's cancellation token flows into the model call,
    /// so a client that disconnects stops the upstream generation too.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, ChatService.Prepared prepared, ChatService chat, RagOrchestrator rag,
        System.Text.Json.JsonSerializerOptions json, ILogger logger, CancellationToken ct)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        async Task Send(string name, object payload)
        {
            await response.WriteAsync($"event: {name}\ndata: {ChatJson.Serialize(payload, json)}\n\n", ct);
            await response.Body.FlushAsync(ct);
        }

        try
        {
            await foreach (var e in rag.StreamAsync(prepared.Request, ct))
            {
                switch (e)
                {
                    case SourcesEvent s:
                        await Send("sources", new SourcesPayload(s.Sources, s.Confidence, prepared.Session?.Id));
                        break;
                    case TokenEvent t:
                        await Send("token", new TokenPayload(t.Text));
                        break;
                    case DoneEvent d:
                        var messageId = await chat.RecordAsync(prepared, d.Answer, ct);
                        await Send("done", new DonePayload(d.Answer.Confidence, messageId, d.Answer.Usage, d.Answer.FromCache));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogInformation("Client disconnected; the answer stream was cancelled");
        }
        catch (Exception ex)
        {
            var error = ToError(ex) ?? new ErrorPayload("internal_error", "The answer could not be completed.");
            if (error.Code == "internal_error") logger.LogError(ex, "Answer stream failed");
            else logger.LogWarning(ex, "Answer stream failed: {Code}", error.Code);
            try { await Send("error", error); } catch (Exception) when (ct.IsCancellationRequested) { }
        }
    }

    private static ErrorPayload? ToError(Exception ex) => ex switch
    {
        LlmTimeoutException => new ErrorPayload("llm_timeout", "The language model did not answer in time."),
        LlmStreamException => new ErrorPayload("llm_stream_failed", "The language model stopped in the middle of the answer."),
        LlmServiceException => new ErrorPayload("llm_unavailable", "The language model is unavailable."),
        HttpRequestException => new ErrorPayload("llm_unavailable", "The language model could not be reached."),
        _ => null,
    };
}
