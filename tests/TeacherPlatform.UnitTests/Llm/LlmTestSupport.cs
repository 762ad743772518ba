using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TeacherPlatform.Ai.Connectors;

namespace TeacherPlatform.UnitTests.Llm;

internal static class LlmTestSupport
{
    /// <summary>An upper bound for "eventually" on a loaded machine, never a measured duration.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);


    public static ChatMessage[] Conversation =>
    [
        new(ChatRole.System, "You are a piano tutor."),
        new(ChatRole.User, "How should I practise scales?"),
    ];

    /// <summary>
    /// The production registration. Configuration is added after <c>AddChatConnectors</c> on purpose:
    /// the provider must be read when the client is resolved.
    /// </summary>
    public static ServiceProvider Services(
        IDictionary<string, string?> settings, TimeProvider? time = null, Func<DelegatingHandler>? outermostHandler = null)
    {
        var configuration = new ConfigurationManager();
        var services = new ServiceCollection().AddLogging();
        if (time is not null) services.AddSingleton(time); // the connectors' deadlines run on it
        services.AddChatConnectors(configuration);
        // Defaults are applied before a named client's own configuration, so this handler sits between the SDK and the
        // production handlers.
        if (outermostHandler is not null) services.ConfigureHttpClientDefaults(http => http.AddHttpMessageHandler(outermostHandler));
        configuration.AddInMemoryCollection(settings);
        return services.BuildServiceProvider();
    }

    public static async Task WriteEventStreamAsync(HttpContext context, IEnumerable<string> data, TimeSpan gap = default, bool startResponse = true)
    {
        if (startResponse)
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.StartAsync(context.RequestAborted);
        }
        foreach (var line in data)
        {
            if (gap > TimeSpan.Zero) await Task.Delay(gap, context.RequestAborted);
            await WriteEventAsync(context, line);
        }
    }

    public static async Task WriteEventAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync($"data: {data}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Consumes a stream, keeping what arrived before a failure.</summary>
    public static async Task<(List<ChatResponseUpdate> Updates, Exception? Error)> DrainAsync(
        IAsyncEnumerable<ChatResponseUpdate> stream, Action<IReadOnlyList<ChatResponseUpdate>>? afterEach = null)
    {
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in stream)
            {
                updates.Add(update);
                afterEach?.Invoke(updates);
            }
            return (updates, null);
        }
        catch (Exception ex)
        {
            return (updates, ex);
        }
    }

    public static string[] Texts(IEnumerable<ChatResponseUpdate> updates) =>
        updates.SelectMany(u => u.Contents.OfType<TextContent>()).Select(t => t.Text).ToArray();

    public static UsageDetails? Usage(IEnumerable<ChatResponseUpdate> updates) =>
        updates.SelectMany(u => u.Contents.OfType<UsageContent>()).Select(u => u.Details).LastOrDefault();

    /// <summary>
    /// Lets a fake server drop the connection only once the client holds the tokens already sent: a TCP reset
    /// arriving earlier may discard unread data (and the headers with it, which would make it a retryable failure).
    /// </summary>
    public static Action<IReadOnlyList<ChatResponseUpdate>> SignalAfterTokens(int count, TaskCompletionSource signal) =>
        updates =>
        {
            if (Texts(updates).Length >= count) signal.TrySetResult();
        };

    /// <summary>Completes when the fake server sees the client go away.</summary>
    public static TaskCompletionSource WatchAbort(HttpContext context, TaskCompletionSource aborted)
    {
        context.RequestAborted.Register(() => aborted.TrySetResult());
        return aborted;
    }

    /// <summary>Starts an event stream (headers only) and signals that the request has arrived.</summary>
    public static async Task StartEventStreamAsync(HttpContext context, TaskCompletionSource arrived)
    {
        context.Response.ContentType = "text/event-stream";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        arrived.TrySetResult();
    }

    /// <summary>Holds the request open until the client disconnects (or the server stops).</summary>
    public static async Task HoldUntilAbortedAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
