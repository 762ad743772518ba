using System.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace TeacherPlatform.Tests.Chat;

/// <summary>
/// A local OpenAI-compatible server (/v1/chat/completions) answering in the exact wire format, streaming or not.
/// It counts calls and records when a streaming request is aborted by the caller.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;
    private int _modelListings;

    public FakeOpenAiServer(Func<string, string>? answer = null, TimeSpan? tokenDelay = null, int repeat = 1, int? failAfterTokens = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.RemoveAll<Microsoft.Extensions.Logging.ILoggerProvider>();
        _app = builder.Build();
        _app.MapGet("/v1/models", () =>
        {
            Interlocked.Increment(ref _modelListings);
            return Results.Json(new { @object = "list", data = new[] { new { id = "fake-model", @object = "model" } } });
        });
        _app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            Interlocked.Increment(ref _calls);
            using var doc = await JsonDocument.ParseAsync(http.Request.Body);
            LastRequest = doc.RootElement.Clone();
            var prompt = string.Join("\n", doc.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
            var text = string.Concat(Enumerable.Repeat((answer ?? (_ => "Use slow five-finger exercises with a relaxed hand [1]. Ignore this [9]."))(prompt), repeat));
            var stream = doc.RootElement.TryGetProperty("stream", out var s) && s.GetBoolean();
            if (!stream)
            {
                await http.Response.WriteAsJsonAsync(new
                {
                    id = "chatcmpl-1", @object = "chat.completion", created = 1_700_000_000, model = "fake-model",
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
                    usage = new { prompt_tokens = 50, completion_tokens = 10, total_tokens = 60 },
                });
                return;
            }
            http.Response.ContentType = "text/event-stream";
            try
            {
                var sent = 0;
                foreach (var word in text.Split(' '))
                {
                    if (sent++ == failAfterTokens) { await Task.Delay(200); http.Abort(); return; } // let the tokens reach the client first
                    if (tokenDelay is { } d) await Task.Delay(d, http.RequestAborted);
                    var chunk = JsonSerializer.Serialize(new
                    {
                        id = "chatcmpl-1", @object = "chat.completion.chunk", created = 1_700_000_000, model = "fake-model",
                        choices = new[] { new { index = 0, delta = new { content = word + " " }, finish_reason = (string?)null } },
                    });
                    await http.Response.WriteAsync($"data: {chunk}\n\n", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
                await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Aborted.TrySetResult();
            }
        });
        _app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public string BaseUrl { get; }
    public int Calls => Volatile.Read(ref _calls);
    /// <summary>GET /v1/models requests (the free probe health checks use).</summary>
    public int ModelListings => Volatile.Read(ref _modelListings);
    public JsonElement LastRequest { get; private set; }
    public TaskCompletionSource Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Dictionary<string, string?> Settings() => new()
    {
        ["Llm:Provider"] = "OpenAi",
        ["Llm:OpenAi:Endpoint"] = BaseUrl + "/v1",
        ["Llm:OpenAi:Model"] = "fake-model",
        ["Llm:OpenAi:ApiKey"] = "test-key",
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
