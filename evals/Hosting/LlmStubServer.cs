using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TeacherPlatform.Evals.Hosting;

/// <summary>
/// An OpenAI-compatible chat endpoint with a fixed time to first token and a fixed token rate, so a benchmark can
/// point the API's OpenAI-compatible connector at it and see retrieval + orchestration overhead on their own
/// (issue 5 §5). Serves POST /v1/chat/completions (streaming and not) and GET /v1/models on a loopback port.
/// </summary>
public sealed class LlmStubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    public Uri BaseUrl { get; }
    public TimeSpan TimeToFirstToken { get; }
    public int Tokens { get; }
    public TimeSpan TokenInterval { get; }

    private LlmStubServer(WebApplication app, Uri baseUrl, TimeSpan ttft, int tokens, TimeSpan interval)
    {
        _app = app;
        BaseUrl = baseUrl;
        TimeToFirstToken = ttft;
        Tokens = tokens;
        TokenInterval = interval;
    }

    public static async Task<LlmStubServer> StartAsync(TimeSpan ttft, int tokens, TimeSpan tokenInterval, CancellationToken ct)
    {
        var port = ServerProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        const string Text = "According to the sources [1], practise slowly with a relaxed hand and a steady pulse. ";
        var words = Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "stub", @object = "model" } } }));
        app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            var stream = body.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            var model = body.RootElement.TryGetProperty("model", out var m) ? m.GetString() : "stub";
            var id = "chatcmpl-stub-" + Guid.NewGuid().ToString("N")[..8];
            var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await Task.Delay(ttft, http.RequestAborted);
            if (!stream)
            {
                if (tokens > 1) await Task.Delay(tokenInterval * (tokens - 1), http.RequestAborted);
                var content = string.Join(' ', Enumerable.Range(0, tokens).Select(i => words[i % words.Length]));
                await http.Response.WriteAsJsonAsync(new
                {
                    id, @object = "chat.completion", created, model,
                    choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
                    usage = new { prompt_tokens = 100, completion_tokens = tokens, total_tokens = 100 + tokens },
                }, http.RequestAborted);
                return;
            }
            http.Response.ContentType = "text/event-stream";
            for (var i = 0; i < tokens; i++)
            {
                if (i > 0) await Task.Delay(tokenInterval, http.RequestAborted);
                var chunk = JsonSerializer.Serialize(new
                {
                    id, @object = "chat.completion.chunk", created, model,
                    choices = new[] { new { index = 0, delta = new { content = words[i % words.Length] + " " }, finish_reason = (string?)null } },
                });
                await http.Response.WriteAsync($"data: {chunk}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
            var last = JsonSerializer.Serialize(new
            {
                id, @object = "chat.completion.chunk", created, model,
                choices = new[] { new { index = 0, delta = new { content = "" }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 100, completion_tokens = tokens, total_tokens = 100 + tokens },
            });
            await http.Response.WriteAsync($"data: {last}\n\ndata: [DONE]\n\n", http.RequestAborted);
        });
        await app.StartAsync(ct);
        return new LlmStubServer(app, new Uri($"http://127.0.0.1:{port}/v1/"), ttft, tokens, tokenInterval);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
