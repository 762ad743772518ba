using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using TeacherPlatform.Ai.Connectors;
using TeacherPlatform.UnitTests.Embeddings;
using static TeacherPlatform.UnitTests.Llm.LlmTestSupport;

namespace TeacherPlatform.UnitTests.Llm;

public sealed class OpenAiCompatibleChatClientTests : ChatConnectorContractTests
{
    private const string Model = "qwen2.5-1.5b-instruct";

    protected override string Token(string text) => Delta(text);
    protected override string[] End => [Stop, "[DONE]"];

    protected override ServiceProvider Connect(LocalHttpServer server, string firstTokenTimeout = "00:00:05", string requestTimeout = "00:01:00",
        TimeProvider? time = null, Func<DelegatingHandler>? outermostHandler = null) => Services(new Dictionary<string, string?>
    {
        ["Llm:OpenAi:RequestTimeout"] = requestTimeout,
        ["Llm:Provider"] = "openai",
        ["Llm:OpenAi:Endpoint"] = new Uri(server.BaseAddress, "/v1").ToString(),
        ["Llm:OpenAi:Model"] = Model,
        ["Llm:OpenAi:ApiKey"] = "sk-local",
        ["Llm:OpenAi:FirstTokenTimeout"] = firstTokenTimeout,
    }, time, outermostHandler);

    private static string Delta(string content) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-1",
        @object = "chat.completion.chunk",
        created = 1_700_000_000,
        model = Model,
        choices = new[] { new { index = 0, delta = new { content }, finish_reason = (string?)null } },
    });

    private static readonly string Stop = JsonSerializer.Serialize(new
    {
        id = "chatcmpl-1",
        @object = "chat.completion.chunk",
        created = 1_700_000_000,
        model = Model,
        choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop" } },
    });

    private static readonly string UsageOnly = JsonSerializer.Serialize(new
    {
        id = "chatcmpl-1",
        @object = "chat.completion.chunk",
        created = 1_700_000_000,
        model = Model,
        choices = Array.Empty<object>(),
        usage = new { prompt_tokens = 31, completion_tokens = 3, total_tokens = 34 },
    });

    [Fact]
    public async Task Non_streaming_call_posts_chat_completions_and_maps_text_usage_and_finish_reason()
    {
        await using var server = await LocalHttpServer.StartAsync(_ => Results.Json(new
        {
            id = "chatcmpl-9",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = Model,
            choices = new[] { new { index = 0, message = new { role = "assistant", content = "Keep the wrist level. [2]" }, finish_reason = "length" } },
            usage = new { prompt_tokens = 120, completion_tokens = 8, total_tokens = 128 },
        }));
        await using var services = Connect(server);

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync(Conversation);

        Assert.Equal("Keep the wrist level. [2]", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal((120L, 8L, 128L), (response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value, response.Usage.TotalTokenCount!.Value));
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-local", request.Authorization);
        Assert.Equal(Model, request.Body!["model"]!.GetValue<string>());
        Assert.Equal(0.2, request.Body["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(700, request.Body["max_tokens"]!.GetValue<int>());
        Assert.Null(request.Body["max_completion_tokens"]);
        var messages = request.Body["messages"]!.AsArray();
        Assert.Equal(["system", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("How should I practise scales?", messages[1]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Streaming_yields_deltas_in_order_with_usage_and_stop()
    {
        await using var server = await LocalHttpServer.StartAsync((_, context) =>
            WriteEventStreamAsync(context, [Delta("Hel"), Delta("lo,"), Delta(" pianist"), Stop, UsageOnly, "[DONE]"]));
        await using var services = Connect(server);

        var updates = await services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation).ToListAsync();

        Assert.Equal(["Hel", "lo,", " pianist"], Texts(updates));
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);
        var usage = Usage(updates)!;
        Assert.Equal((31L, 3L, 34L), (usage.InputTokenCount!.Value, usage.OutputTokenCount!.Value, usage.TotalTokenCount!.Value));
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.True(request.Body!["stream"]!.GetValue<bool>());
        // Without it vLLM and OpenAI send no usage in streams.
        Assert.True(request.Body["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Http_error_fails_with_status_before_any_token()
    {
        await using var server = await LocalHttpServer.StartAsync(_ => Results.Json(
            new { error = new { message = "model not found", type = "invalid_request_error" } }, statusCode: 404));
        await using var services = Connect(server);

        var (updates, error) = await DrainAsync(services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation));

        Assert.Empty(updates);
        var failure = Assert.IsType<LlmServiceException>(error);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, failure.StatusCode);
    }

    [Fact]
    public async Task Is_the_sk_openai_connector_behind_the_chat_client_and_no_sk_chat_service_is_registered()
    {
        await using var server = await LocalHttpServer.StartAsync(_ => Results.Json(new
        {
            id = "chatcmpl-9",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = Model,
            choices = new[] { new { index = 0, message = new { role = "assistant", content = "Yes." }, finish_reason = "stop" } },
        }));
        await using var services = Connect(server);

        var client = services.GetRequiredService<IChatClient>();
        var reply = await client.GetResponseAsync("Ready?");

        Assert.NotNull(client.GetService<OpenAIChatCompletionService>());
        Assert.Null(services.GetService<IChatCompletionService>());
        Assert.Equal("Yes.", reply.Text);
        Assert.Equal(new ChatConnectorInfo("openai", Model, IsExtractive: false), services.GetRequiredService<ChatConnectorInfo>());
    }
}
