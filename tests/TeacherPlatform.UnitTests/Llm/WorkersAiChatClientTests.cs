using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.SemanticKernel.ChatCompletion;
using TeacherPlatform.Ai.Connectors;
using TeacherPlatform.UnitTests.Embeddings;
using static TeacherPlatform.UnitTests.Llm.LlmTestSupport;

namespace TeacherPlatform.UnitTests.Llm;

public sealed class WorkersAiChatClientTests : ChatConnectorContractTests
{
    private const string RunPath = "/client/v4/accounts/acc123/ai/run/@cf/meta/llama-4-scout-17b-16e-instruct";

    protected override string Token(string text) => Chunk(text);
    protected override string[] End => ["[DONE]"];

    protected override ServiceProvider Connect(
        LocalHttpServer server, string firstTokenTimeout = "00:00:05", string requestTimeout = "00:01:00", TimeProvider? time = null, Func<DelegatingHandler>? outermostHandler = null) => Services(new Dictionary<string, string?>
    {
        ["Llm:WorkersAi:RequestTimeout"] = requestTimeout,
        ["Llm:Provider"] = "workersai",
        ["Llm:WorkersAi:AccountId"] = "acc123",
        ["Llm:WorkersAi:ApiToken"] = "cf-token",
        ["Llm:WorkersAi:BaseUrl"] = new Uri(server.BaseAddress, "/client/v4").ToString(),
        ["Llm:WorkersAi:FirstTokenTimeout"] = firstTokenTimeout,
        ["Llm:MaxTokens"] = "321",
    }, time, outermostHandler);

    private static string Chunk(string response) => JsonSerializer.Serialize(new { response, p = "abcdefgh" });

    private const string UsageChunk = """{"response":"","usage":{"prompt_tokens":42,"completion_tokens":3,"total_tokens":45}}""";

    [Fact]
    public async Task Non_streaming_call_posts_messages_with_bearer_token_and_maps_text_and_usage()
    {
        await using var server = await LocalHttpServer.StartAsync(_ => Results.Json(new
        {
            result = new
            {
                response = "Practise slowly, hands separately. [1]",
                usage = new { prompt_tokens = 57, completion_tokens = 9, total_tokens = 66 },
            },
            success = true,
            errors = Array.Empty<object>(),
            messages = Array.Empty<object>(),
        }));
        await using var services = Connect(server);
        var client = services.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync(Conversation, new ChatOptions { Temperature = 0.1f });

        Assert.Equal("Practise slowly, hands separately. [1]", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("@cf/meta/llama-4-scout-17b-16e-instruct", response.ModelId);
        Assert.Equal(57, response.Usage!.InputTokenCount);
        Assert.Equal(9, response.Usage.OutputTokenCount);
        Assert.Equal(66, response.Usage.TotalTokenCount);
        var request = Assert.Single(server.Requests);
        Assert.Equal(RunPath, request.Path);
        Assert.Equal("Bearer cf-token", request.Authorization);
        Assert.False(request.Body!["stream"]!.GetValue<bool>());
        Assert.Equal(321, request.Body["max_tokens"]!.GetValue<int>());
        Assert.Equal(0.1, request.Body["temperature"]!.GetValue<double>(), 3);
        var messages = request.Body["messages"]!.AsArray();
        Assert.Equal(["system", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("How should I practise scales?", messages[1]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Json_mode_object_response_is_returned_as_json_text()
    {
        await using var server = await LocalHttpServer.StartAsync(_ => Results.Json(new
        {
            result = new { response = new { answer = "legato" } },
            success = true,
            errors = Array.Empty<object>(),
        }));
        await using var services = Connect(server);

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync(Conversation);

        Assert.Equal("""{"answer":"legato"}""", response.Text);
        Assert.Null(response.Usage);
    }

    [Fact]
    public async Task Error_payload_fails_with_the_service_message()
    {
        await using var server = await LocalHttpServer.StartAsync(_ => Results.Json(new
        {
            result = (object?)null,
            success = false,
            errors = new[] { new { code = 5007, message = "No such model" } },
        }, statusCode: 400));
        await using var services = Connect(server);

        var error = await Assert.ThrowsAsync<LlmServiceException>(
            () => services.GetRequiredService<IChatClient>().GetResponseAsync(Conversation));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("5007: No such model", error.Message);
    }

    [Fact]
    public async Task Streaming_yields_tokens_in_order_then_usage_and_stop()
    {
        await using var server = await LocalHttpServer.StartAsync((_, context) =>
            WriteEventStreamAsync(context, [Chunk("Hel"), Chunk("lo,"), Chunk(" pianist"), UsageChunk, "[DONE]"]));
        await using var services = Connect(server);

        var updates = await services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation).ToListAsync();

        Assert.Equal(["Hel", "lo,", " pianist"], Texts(updates));
        var usage = Usage(updates)!;
        Assert.Equal((42L, 3L, 45L), (usage.InputTokenCount!.Value, usage.OutputTokenCount!.Value, usage.TotalTokenCount!.Value));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        Assert.Equal("Hello, pianist", updates.ToChatResponse().Text);
        var request = Assert.Single(server.Requests);
        Assert.Equal(RunPath, request.Path);
        Assert.Equal("Bearer cf-token", request.Authorization);
        Assert.True(request.Body!["stream"]!.GetValue<bool>());
        Assert.Equal(2, request.Body["messages"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("{\"response\":\"bro")]
    [InlineData("{\"errors\":[{\"code\":3040,\"message\":\"Capacity temporarily exceeded\"}]}")]
    public async Task Malformed_or_error_event_mid_stream_is_a_stream_exception(string badEvent)
    {
        await using var server = await LocalHttpServer.StartAsync((_, context) =>
            WriteEventStreamAsync(context, [Chunk("Play"), Chunk(" slowly"), badEvent, Chunk(" never"), "[DONE]"]));
        await using var services = Connect(server);

        var (updates, error) = await DrainAsync(services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation));

        Assert.Equal(["Play", " slowly"], Texts(updates));
        Assert.IsType<LlmStreamException>(error);
    }

    [Fact]
    public async Task Stream_ending_without_done_is_a_stream_exception()
    {
        await using var server = await LocalHttpServer.StartAsync((_, context) =>
            WriteEventStreamAsync(context, [Chunk("Play")]));
        await using var services = Connect(server);

        var (updates, error) = await DrainAsync(services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation));

        Assert.Equal(["Play"], Texts(updates));
        Assert.IsType<LlmStreamException>(error);
    }

    [Fact]
    public async Task Rate_limited_call_is_retried_then_succeeds()
    {
        var calls = 0;
        await using var server = await LocalHttpServer.StartAsync(async (_, context) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "0";
                await context.Response.WriteAsJsonAsync(new { success = false, errors = new[] { new { code = 3036, message = "rate limited" } } });
                return;
            }
            await context.Response.WriteAsJsonAsync(new { result = new { response = "Use a metronome." }, success = true, errors = Array.Empty<object>() });
        });
        await using var services = Connect(server);

        var response = await services.GetRequiredService<IChatClient>().GetResponseAsync(Conversation);

        Assert.Equal("Use a metronome.", response.Text);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Rate_limited_stream_is_retried_before_it_starts()
    {
        var calls = 0;
        await using var server = await LocalHttpServer.StartAsync(async (_, context) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "0";
                return;
            }
            await WriteEventStreamAsync(context, [Chunk("Relax"), "[DONE]"]);
        });
        await using var services = Connect(server);

        var updates = await services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation).ToListAsync();

        Assert.Equal(["Relax"], Texts(updates));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Is_registered_as_the_chat_client_with_its_connector_info()
    {
        await using var server = await LocalHttpServer.StartAsync((_, context) =>
            WriteEventStreamAsync(context, [Chunk("Wrist"), Chunk(" loose"), "[DONE]"]));
        await using var services = Connect(server);
        var info = services.GetRequiredService<ChatConnectorInfo>();
        ChatMessage[] history = [new(ChatRole.System, "You are a piano tutor."), new(ChatRole.User, "Wrist?")];

        var chunks = await services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(history).ToListAsync();

        Assert.Null(services.GetService<IChatCompletionService>());
        Assert.Equal("Wrist loose", string.Concat(chunks.Select(c => c.Text)));
        Assert.Equal(new ChatConnectorInfo("workersai", "@cf/meta/llama-4-scout-17b-16e-instruct", IsExtractive: false), info);
    }
}
