using System.Net.Http.Headers;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Connectors;
using TeacherPlatform.Ai.Embeddings;

namespace TeacherPlatform.Api.Infrastructure;

public sealed class HealthOptions
{
    public const string Section = "Health";
    /// <summary>How long a probe result of a remote model (LLM, hosted embedder) is reused: polls never cost a model call.</summary>
    public TimeSpan ProbeCacheDuration { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Deadline of one probe.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Caches a dependency probe for <see cref="HealthOptions.ProbeCacheDuration"/> (TimeProvider time), one probe at a
/// time: however often load balancers poll, the remote service sees at most one cheap request per period.
/// </summary>
public abstract class CachedHealthCheck(TimeProvider clock, IOptions<HealthOptions> options) : IHealthCheck
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (HealthCheckResult Result, DateTimeOffset At)? _last;

    protected abstract Task<HealthCheckResult> ProbeAsync(CancellationToken ct);

    public int Probes { get; private set; }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (Fresh() is { } cached) return cached;
        await _gate.WaitAsync(ct);
        try
        {
            if (Fresh() is { } again) return again;
            HealthCheckResult result;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.ProbeTimeout);
            try
            {
                Probes++;
                result = await ProbeAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                result = new HealthCheckResult(context.Registration.FailureStatus, Describe(), ex);
            }
            if (result.Status == HealthStatus.Unhealthy) result = new HealthCheckResult(context.Registration.FailureStatus, result.Description, result.Exception, result.Data);
            _last = (result, clock.GetUtcNow());
            return result;
        }
        finally { _gate.Release(); }
    }

    protected abstract string Describe();

    private HealthCheckResult? Fresh() =>
        _last is { } last && clock.GetUtcNow() - last.At < options.Value.ProbeCacheDuration ? last.Result : null;

    /// <summary>A free request (model listing) that proves the endpoint answers and accepts the credentials.</summary>
    protected static async Task<HealthCheckResult> GetAsync(HttpClient http, string url, string? bearer, string description, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrWhiteSpace(bearer)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        return response.IsSuccessStatusCode
            ? HealthCheckResult.Healthy(description)
            : HealthCheckResult.Unhealthy(description, new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase} from {new Uri(url).GetLeftPart(UriPartial.Authority)}"));
    }
}

/// <summary>LLM readiness: the extractive mode needs nothing; hosted models get a cached, free model-listing request.</summary>
public sealed class LlmHealthCheck(ChatConnectorInfo connector, IOptions<ChatConnectorOptions> llm, IHttpClientFactory http, TimeProvider clock, IOptions<HealthOptions> options)
    : CachedHealthCheck(clock, options)
{
    protected override string Describe() => $"{connector.ProviderName}: {connector.ModelId}";

    protected override Task<HealthCheckResult> ProbeAsync(CancellationToken ct)
    {
        var o = llm.Value;
        return o.Provider switch
        {
            LlmProvider.OpenAi => GetAsync(http.CreateClient(nameof(HealthProbes)), $"{o.OpenAi.Endpoint!.TrimEnd('/')}/models", o.OpenAi.ApiKey, Describe(), ct),
            LlmProvider.WorkersAi => GetAsync(http.CreateClient(nameof(HealthProbes)),
                $"{o.WorkersAi.BaseUrl.TrimEnd('/')}/accounts/{Uri.EscapeDataString(o.WorkersAi.AccountId ?? "")}/ai/models/search?per_page=1", o.WorkersAi.ApiToken, Describe(), ct),
            _ => Task.FromResult(HealthCheckResult.Healthy(Describe())),
        };
    }
}

/// <summary>Embedder readiness: the local model embeds a word (no cost); hosted embedders get a free listing request.</summary>
public sealed class EmbedderHealthCheck(IEmbeddingModel model, IServiceProvider services, IHttpClientFactory http, TimeProvider clock, IOptions<HealthOptions> options)
    : CachedHealthCheck(clock, options)
{
    protected override string Describe() => model.QueryModelId == model.ModelId
        ? $"{model.ModelId} ({model.Dimensions} dims)"
        : $"{model.ModelId} ({model.Dimensions} dims), queries on {model.QueryModelId}";

    protected override async Task<HealthCheckResult> ProbeAsync(CancellationToken ct)
    {
        if (services.GetService<OpenAiEmbeddingOptions>() is { } openAi)
            return await GetAsync(http.CreateClient(nameof(HealthProbes)), $"{openAi.Endpoint.TrimEnd('/')}/v1/models", openAi.ApiKey, Describe(), ct);
        if (services.GetService<WorkersAiEmbeddingOptions>() is { } workers)
            return await GetAsync(http.CreateClient(nameof(HealthProbes)),
                $"{workers.BaseUrl.TrimEnd('/')}/accounts/{Uri.EscapeDataString(workers.AccountId)}/ai/models/search?per_page=1", workers.ApiToken, Describe(), ct);
        var v = await model.EmbedQueryAsync("health", ct);
        return v.Length == model.Dimensions ? HealthCheckResult.Healthy(Describe()) : HealthCheckResult.Unhealthy(Describe());
    }
}

/// <summary>
/// Runs the checks periodically (HealthCheckPublisherOptions: 5 s delay, 30 s period) and exposes the results as
/// the gauge health_check_status{check} (1 healthy, 0.5 degraded, 0 unhealthy) for the database/storage alerts.
/// </summary>
public sealed class HealthMetricsPublisher : IHealthCheckPublisher
{
    private volatile IReadOnlyDictionary<string, double> _last = new Dictionary<string, double>();

    public HealthMetricsPublisher(System.Diagnostics.Metrics.IMeterFactory meters)
    {
        var meter = System.Diagnostics.Metrics.MeterFactoryExtensions.Create(meters, TeacherPlatform.Core.Telemetry.AppTelemetry.Name);
        meter.CreateObservableGauge("health_check_status", () => _last.Select(e =>
            new System.Diagnostics.Metrics.Measurement<double>(e.Value, new KeyValuePair<string, object?>("check", e.Key))),
            description: "Latest health check result: 1 healthy, 0.5 degraded, 0 unhealthy");
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        _last = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status switch
        {
            HealthStatus.Healthy => 1.0,
            HealthStatus.Degraded => 0.5,
            _ => 0.0,
        });
        return Task.CompletedTask;
    }
}

public static class HealthProbes
{
    public static IServiceCollection AddHealthProbes(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.Section));
        services.AddHttpClient(nameof(HealthProbes));
        // Singletons, so the cached result is shared by every poll.
        services.AddSingleton<LlmHealthCheck>();
        services.AddSingleton<EmbedderHealthCheck>();
        services.AddSingleton<IHealthCheckPublisher, HealthMetricsPublisher>();
        services.AddOptions<HealthCheckPublisherOptions>().Configure<IOptions<MetricsSettings>>((o, metrics) =>
        {
            o.Delay = TimeSpan.FromSeconds(1);
            o.Period = metrics.Value.HealthCheckPeriod;
        });
        return services;
    }
}
