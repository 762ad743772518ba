using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using TeacherPlatform.Ai.Rag;

namespace TeacherPlatform.Api.Features.Chat;

/// <summary>
/// The answer as Server-Sent Events: sources, token*, done | error. The request's cancellation token flows into the model
/// call, so a client that disconnects stops the upstream generation too.
/// </summary>
public static class ChatStreaming
{
    public const string ContentType = "text/event-stream";

    public static bool Wants(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains(ContentType, StringComparison.OrdinalIgnoreCase) == true);

    public static async Task StreamAsync(HttpContext http, ChatService.Prepared prepared, ChatService chat, JsonSerializerOptions json, ILogger logger,
        CancellationToken ct)
    {
        var response = http.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var writer = response.BodyWriter;
        void Write(string name, object payload) =>
            Encoding.UTF8.GetBytes($"event: {name}\ndata: {ChatJson.Serialize(payload, json)}\n\n", writer);
        async Task Send(string name, object payload)
        {
            Write(name, payload);
            await writer.FlushAsync(ct);
        }

        try
        {
            await using var events = chat.StreamAsync(prepared, ct).GetAsyncEnumerator(ct);
            while (true)
            {
                // What is written goes out before any wait, so a model's tokens reach the client as they arrive; an
                // answer that is already complete (the extractive model) leaves in one write instead of one per word.
                var next = events.MoveNextAsync();
                if (!next.IsCompleted) await writer.FlushAsync(ct);
                if (!await next) break;
                switch (events.Current)
                {
                    case SourcesEvent s:
                        // At once: the client shows the citations while the answer is written.
                        await Send("sources", new SourcesPayload(s.Sources, s.Confidence, prepared.Session?.Id));
                        break;
                    case TokenEvent t:
                        Write("token", new TokenPayload(t.Text));
                        break;
                    case DoneEvent d:
                        var messageId = await chat.RecordAsync(prepared, d.Answer, ct);
                        await Send("done", new DonePayload(d.Answer.Confidence, messageId, d.Answer.Usage, d.Answer.FromCache));
                        break;
                }
            }
            await writer.FlushAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogInformation("Client disconnected; the answer stream was cancelled");
        }
        catch (Exception ex)
        {
            var error = ChatService.ErrorFor(ex) ?? new ErrorPayload("internal_error", "The answer could not be completed.");
            if (error.Code == "internal_error") logger.LogError(ex, "Answer stream failed");
            else logger.LogWarning(ex, "Answer stream failed: {Code}", error.Code);
            try { await Send("error", error); } catch (Exception) when (ct.IsCancellationRequested) { }
        }
    }
}
