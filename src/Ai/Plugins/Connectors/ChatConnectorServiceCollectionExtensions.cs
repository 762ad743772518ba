using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TeacherPlatform.Ai.Connectors;

public static class ChatConnectorServiceCollectionExtensions
{
    /// <summary>Activity source of the chat telemetry (OpenTelemetry GenAI conventions); add it to tracing to see model calls.</summary>
    public const string ActivitySourceName = "TeacherPlatform.Llm";

    internal const string WorkersAiHttpClient = "TeacherPlatform.Llm.WorkersAi";
    internal const string OpenAiHttpClient = "TeacherPlatform.Llm.OpenAi";

    /// <summary>
    /// Registers the chat connector chosen by <c>Llm:Provider</c> as a singleton <see cref="IChatClient"/> (with
    /// OpenTelemetry) and <see cref="ChatConnectorInfo"/>.
    /// The provider is read when the client is first resolved, not now, so configuration added later still counts.
    /// </summary>
    public static IServiceCollection AddChatConnectors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChatConnectorOptions>().Bind(configuration.GetSection(ChatConnectorOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatConnectorOptions>, ChatConnectorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        AddModelHttpClient(services, WorkersAiHttpClient, o => o.WorkersAi.RequestTimeout);
        AddModelHttpClient(services, OpenAiHttpClient, o => o.OpenAi.RequestTimeout);

        services.AddSingleton(sp => ChatConnectorInfo.From(Options(sp)));
        services.AddSingleton<IChatClient>(sp => new ChatClientBuilder(CreateConnector(sp))
            .UseOpenTelemetry(sp.GetService<ILoggerFactory>(), ActivitySourceName)
            .Build(sp));
        return services;
    }

    private static IChatClient CreateConnector(IServiceProvider sp)
    {
        var options = Options(sp);
        var time = sp.GetRequiredService<TimeProvider>();
        var http = sp.GetRequiredService<IHttpClientFactory>();
        return options.Provider switch
        {
            LlmProvider.Extractive => new ExtractiveChatClient(time: time),
            LlmProvider.WorkersAi => new WorkersAiChatClient(
                http.CreateClient(WorkersAiHttpClient), options.WorkersAi, options.GenerationDefaults, time),
            LlmProvider.OpenAi => new OpenAiCompatibleChatClient(
                http.CreateClient(OpenAiHttpClient), options.OpenAi, options.GenerationDefaults, time),
            _ => throw new InvalidOperationException($"Unknown {ChatConnectorOptions.SectionName}:Provider '{options.Provider}'."),
        };
    }

    private static ChatConnectorOptions Options(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<ChatConnectorOptions>>().Value;

    private static void AddModelHttpClient(IServiceCollection services, string name, Func<ChatConnectorOptions, TimeSpan> requestTimeout)
    {
        services.AddHttpClient(name, http => http.Timeout = Timeout.InfiniteTimeSpan)
            // The client is captured by a singleton, so the handler is never recycled; pooled connection
            // lifetime keeps DNS changes visible instead. No draining: a stream abandoned by a cancelled or
            // failed consumer must close its connection at once (the default drains for up to 2 s, during
            // which the model keeps generating), not be read to the end for reuse.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxResponseDrainSize = 0,
                ResponseDrainTimeout = TimeSpan.Zero,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // Outside the resilience handler: it sees the response the caller gets, after any retries.
            .AddHttpMessageHandler(() => new ScopedResponseHandler())
            .AddStandardResilienceHandler()
            .Configure((resilience, sp) =>
            {
                // Defaults (10 s per attempt) would kill a long generation. The connector enforces the overall
                // deadline itself (and reports it as LlmTimeoutException), so the handler's own timeouts sit just
                // beyond it. Attempts only last until response headers (ResponseHeadersRead), so a started stream
                // is never retried.
                var timeout = requestTimeout(Options(sp)) + TimeSpan.FromSeconds(1);
                resilience.AttemptTimeout.Timeout = timeout;
                resilience.TotalRequestTimeout.Timeout = timeout;
                resilience.CircuitBreaker.SamplingDuration = timeout * 2;
            });
    }
}
