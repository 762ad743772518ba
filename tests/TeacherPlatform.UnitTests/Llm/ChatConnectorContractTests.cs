using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TeacherPlatform.Ai.Connectors;
using TeacherPlatform.UnitTests.Embeddings;
using static TeacherPlatform.UnitTests.Llm.LlmTestSupport;

namespace TeacherPlatform.UnitTests.Llm;

/// <summary>
/// What every remote chat connector must do, whatever its wire format: stream tokens as they arrive, keep what arrived
/// before a dropped connection, enforce the first-token and request deadlines (on the injected <see cref="TimeProvider"/>),
/// and abort the upstream request when the caller gives up. A connector's test class supplies its wire format.
/// </summary>
public abstract class ChatConnectorContractTests
{
    /// <summary>The production registration pointed at <paramref name="server"/>.</summary>
    protected abstract ServiceProvider Connect(LocalHttpServer server, string firstTokenTimeout = "00:00:05",
        string requestTimeout = "00:01:00", TimeProvider? time = null, Func<DelegatingHandler>? outermostHandler = null);

    /// <summary>The event data carrying one text token.</summary>
    protected abstract string Token(string text);

    /// <summary>The event data that ends a complete stream.</summary>
    protected abstract string[] End { get; }

    [Fact]
    public async Task Connection_dropped_mid_stream_yields_received_tokens_then_stream_exception_without_retry()
    {
        var clientHasTokens = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LocalHttpServer.StartAsync(async (_, context) =>
        {
            await WriteEventStreamAsync(context, [Token("Play"), Token(" slowly")]);
            await clientHasTokens.Task.WaitAsync(Patience);
            context.Abort();
        });
        await using var services = Connect(server);

        var (updates, error) = await DrainAsync(
            services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation), SignalAfterTokens(2, clientHasTokens));

        Assert.Equal(["Play", " slowly"], Texts(updates));
        Assert.IsType<LlmStreamException>(error);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task First_token_later_than_the_deadline_times_out()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LocalHttpServer.StartAsync(async (_, context) =>
        {
            WatchAbort(context, aborted);
            await StartEventStreamAsync(context, arrived);
            await HoldUntilAbortedAsync(context);
        });
        await using var services = Connect(server, firstTokenTimeout: "00:00:00.300", time: time);

        var drained = DrainAsync(services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation));
        await arrived.Task.WaitAsync(Patience);
        time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(drained.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(2));
        var (updates, error) = await drained.WaitAsync(Patience);

        var timeout = Assert.IsType<LlmTimeoutException>(error);
        Assert.Equal(LlmTimeoutKind.FirstToken, timeout.Kind);
        Assert.Empty(Texts(updates));
        await aborted.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task First_token_deadline_passing_as_the_headers_arrive_still_closes_the_connection()
    {
        // The race seen on a loaded machine: the deadline fires just as the response headers come back, and the SDK
        // above the HTTP client gives up before reading the body. The gate makes that order certain.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var headersReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LocalHttpServer.StartAsync(async (_, context) =>
        {
            WatchAbort(context, aborted);
            await StartEventStreamAsync(context, new TaskCompletionSource());
            await HoldUntilAbortedAsync(context);
        });
        await using var services = Connect(server, firstTokenTimeout: "00:00:00.300", time: time,
            outermostHandler: () => new HeadersGate(headersReceived, release));

        var drained = DrainAsync(services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation));
        await headersReceived.Task.WaitAsync(Patience);
        time.Advance(TimeSpan.FromMilliseconds(301));
        release.TrySetResult();
        var (updates, error) = await drained.WaitAsync(Patience);

        Assert.Equal(LlmTimeoutKind.FirstToken, Assert.IsType<LlmTimeoutException>(error).Kind);
        Assert.Empty(Texts(updates));
        await aborted.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task First_token_within_the_deadline_streams_normally()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var firstSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadlinePassed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LocalHttpServer.StartAsync(async (_, context) =>
        {
            await WriteEventStreamAsync(context, [Token("Curved")]);
            firstSent.TrySetResult();
            await deadlinePassed.Task.WaitAsync(context.RequestAborted);
            await WriteEventStreamAsync(context, [Token(" fingers"), .. End], startResponse: false);
        });
        await using var services = Connect(server, firstTokenTimeout: "00:00:02", time: time);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation))
        {
            updates.Add(update);
            if (Texts(updates).Length == 1 && !deadlinePassed.Task.IsCompleted)
            {
                // The first token arrived in time: the first-token deadline no longer applies.
                await firstSent.Task.WaitAsync(Patience);
                time.Advance(TimeSpan.FromSeconds(10));
                deadlinePassed.TrySetResult();
            }
        }

        Assert.Equal(["Curved", " fingers"], Texts(updates));
    }

    [Fact]
    public async Task Answer_slower_than_the_request_deadline_times_out_and_aborts_the_request()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LocalHttpServer.StartAsync(async (_, context) =>
        {
            WatchAbort(context, aborted);
            arrived.TrySetResult();
            await HoldUntilAbortedAsync(context);
        });
        await using var services = Connect(server, firstTokenTimeout: "00:00:00.200", requestTimeout: "00:00:00.400", time: time);

        var call = services.GetRequiredService<IChatClient>().GetResponseAsync(Conversation);
        await arrived.Task.WaitAsync(Patience);
        time.Advance(TimeSpan.FromMilliseconds(401));
        var error = await Assert.ThrowsAsync<LlmTimeoutException>(() => call.WaitAsync(Patience));

        Assert.Equal(LlmTimeoutKind.Request, error.Kind);
        await aborted.Task.WaitAsync(Patience);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Cancelling_the_consumer_mid_stream_aborts_the_upstream_request()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LocalHttpServer.StartAsync(async (_, context) =>
        {
            WatchAbort(context, aborted);
            await WriteEventStreamAsync(context, [Token("Arm"), Token(" weight")]);
            await HoldUntilAbortedAsync(context);
        });
        await using var services = Connect(server);
        using var cts = new CancellationTokenSource();
        var received = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(Conversation, cancellationToken: cts.Token))
            {
                received.AddRange(update.Contents.OfType<TextContent>().Select(t => t.Text));
                if (received.Count == 2) await cts.CancelAsync();
            }
        });

        Assert.Equal(["Arm", " weight"], received);
        await aborted.Task.WaitAsync(Patience);
    }

    /// <summary>Passes a response up only when the test says so, after signalling that its headers have arrived.</summary>
    private sealed class HeadersGate(TaskCompletionSource received, TaskCompletionSource release) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            received.TrySetResult();
            await release.Task;
            return response;
        }
    }
}
