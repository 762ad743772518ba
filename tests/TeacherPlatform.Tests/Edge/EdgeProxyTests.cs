using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Edge;

/// <summary>
/// A minimal upstream on a real Kestrel port for what the API cannot be steered into deterministically: an SSE stream
/// whose next event waits for the test, and an echo of the headers the edge forwarded.
/// </summary>
public sealed class StubUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    public StubUpstream()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.RemoveAll<Microsoft.Extensions.Logging.ILoggerProvider>();
        _app = builder.Build();
        _app.MapGet("/api/health/live", () => Results.Ok(new { status = "alive" }));
        _app.MapGet("/api/echo", (HttpContext http) => Results.Ok(http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
        _app.MapGet("/api/sse", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            try
            {
                await http.Response.WriteAsync("event: delta\ndata: {\"n\":1}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                FirstWritten.TrySetResult();
                await ReleaseSecond.Task.WaitAsync(http.RequestAborted);
                await http.Response.WriteAsync("event: delta\ndata: {\"n\":2}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                // Keeps streaming until the caller goes away, like a long model answer.
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                UpstreamCancelled.TrySetResult();
            }
        });
    }

    public TaskCompletionSource FirstWritten { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource ReleaseSecond { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource UpstreamCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public Uri BaseUrl => new(_app.Urls.First());

    public async Task StartAsync() => await _app.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class EdgeProxyTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30); // only a hang guard, never a timing assertion

    [Fact]
    public async Task Sse_passes_through_event_by_event_uncompressed_and_a_disconnect_cancels_the_upstream()
    {
        await using var stub = new StubUpstream();
        await stub.StartAsync();
        await using var edge = await RunningEdge.StartAsync([stub.BaseUrl]);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sse");
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");
        var response = await edge.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        var stream = await response.Content.ReadAsStreamAsync();
        var reader = new StreamReader(stream);

        // The first event arrives while the upstream has not written the second one (it waits for us).
        Assert.Equal("event: delta", await reader.ReadLineAsync().WaitAsync(Guard));
        Assert.Equal("data: {\"n\":1}", await reader.ReadLineAsync().WaitAsync(Guard));
        Assert.False(stub.ReleaseSecond.Task.IsCompleted);
        stub.ReleaseSecond.SetResult();
        Assert.Equal("", await reader.ReadLineAsync().WaitAsync(Guard));
        Assert.Equal("event: delta", await reader.ReadLineAsync().WaitAsync(Guard));
        Assert.Equal("data: {\"n\":2}", await reader.ReadLineAsync().WaitAsync(Guard));

        // The client goes away: the edge aborts its upstream request.
        Assert.False(stub.UpstreamCancelled.Task.IsCompleted);
        response.Dispose();
        await stub.UpstreamCancelled.Task.WaitAsync(Guard);
    }

    [Fact]
    public async Task Forwarded_headers_and_w3c_trace_context_reach_the_upstream()
    {
        await using var stub = new StubUpstream();
        await stub.StartAsync();
        await using var edge = await RunningEdge.StartAsync([stub.BaseUrl]);
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        // A client that sends our traceparent as is (no propagator: the test process has activity listeners of its own).
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null })
            { BaseAddress = edge.BaseUrl };
        using var directRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(stub.BaseUrl, "/api/echo"));
        directRequest.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        var direct = await (await client.SendAsync(directRequest)).ReadJsonAsync();
        Assert.Equal($"00-{traceId}-00f067aa0ba902b7-01", direct["traceparent"]!.GetValue<string>());
        var echoed = await (await client.SendAsync(request)).ReadJsonAsync();

        Assert.Equal("127.0.0.1", echoed["x-forwarded-for"]!.GetValue<string>());
        Assert.Equal("http", echoed["x-forwarded-proto"]!.GetValue<string>());
        Assert.Equal(edge.BaseUrl.Authority, echoed["x-forwarded-host"]!.GetValue<string>());
        var traceparent = echoed["traceparent"]!.GetValue<string>().Split('-');
        Assert.Equal(traceId, traceparent[1]); // same trace, the edge's span as parent
        Assert.NotEqual("00f067aa0ba902b7", traceparent[2]);
    }

    [SkippableFact]
    public async Task With_two_api_instances_stopping_one_keeps_requests_succeeding()
    {
        Skip.If(ApiFactory.IsPostgres, "PGlite serves a single connection: two API instances cannot share it.");
        // Instances of one deployment share their keys (as an operator configures them) and the data directory.
        using var jwtKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var shared = new Dictionary<string, string?>
        {
            ["Auth:Jwt:SigningKey"] = jwtKey.ExportPkcs8PrivateKeyPem(),
            ["Storage:Local:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        };
        await using var a = RunningApi.Start(shared);
        await using var b = RunningApi.Start(new Dictionary<string, string?>(shared) { ["Data:Directory"] = a.DataDirectory });
        await using var edge = await RunningEdge.StartAsync([a.BaseUrl, b.BaseUrl], new Dictionary<string, string?>
        {
            ["Edge:LoadBalancingPolicy"] = "RoundRobin",
            ["Edge:HealthChecks:Interval"] = "00:00:01",
        });
        var teacher = await EdgeFlows.RegisterAsync(edge);
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.OK, (await teacher.Client.GetAsync("/api/projects")).StatusCode);
        Assert.True(a.Log.Count(r => r.Path == "/api/projects") > 0 && b.Log.Count(r => r.Path == "/api/projects") > 0, "both instances served");

        await b.StopAsync();
        for (var i = 0; i < 10; i++)
        {
            var response = await teacher.Client.GetAsync("/api/projects");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"request {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Equal(HttpStatusCode.OK, (await edge.Client.GetAsync("/api/health/live")).StatusCode);

        // The active probe notices; /edge/health reports it (wait on the observable state, bounded only as a hang guard).
        using var guard = new CancellationTokenSource(Guard);
        JsonObject health;
        do
        {
            health = await (await edge.Client.GetAsync("/edge/health", guard.Token)).ReadJsonAsync();
        } while (health["status"]!.GetValue<string>() != "degraded" && !guard.IsCancellationRequested);
        Assert.Equal("degraded", health["status"]!.GetValue<string>());
        var upstreams = health["upstreams"]!.AsArray();
        Assert.Contains(upstreams, u => u!["address"]!.GetValue<string>() == b.BaseUrl.ToString().TrimEnd('/') && u["active"]!.GetValue<string>() == "unhealthy");
    }

    [Fact]
    public async Task Per_ip_rate_limit_answers_429_with_retry_after_before_the_api_is_reached()
    {
        await using var api = RunningApi.Start();
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl], new Dictionary<string, string?>
        {
            ["Edge:RateLimiting:Enabled"] = "true",
            ["Edge:RateLimiting:PermitLimit"] = "3",
            ["Edge:RateLimiting:Window"] = "00:10:00",
        });
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await edge.Client.GetAsync("/api/health/live")).StatusCode);
        var reached = api.Log.Count(r => r.Path == "/api/health/live");
        var limited = await edge.Client.GetAsync("/api/health/live");
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(reached, api.Log.Count(r => r.Path == "/api/health/live"));
        // The edge's own health endpoint is never limited.
        Assert.Equal(HttpStatusCode.OK, (await edge.Client.GetAsync("/edge/health")).StatusCode);
    }

    [Fact]
    public async Task Health_and_prometheus_metrics_describe_upstreams_and_cache()
    {
        await using var api = RunningApi.Start();
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl]);
        var teacher = await EdgeFlows.RegisterAsync(edge);
        var id = await EdgeFlows.CreateReadyAsync(edge, teacher, Projects.ProjectTestKit.Pdf(2));
        await teacher.Client.GetByteArrayAsync($"/api/projects/{id}/stream");
        await teacher.Client.GetByteArrayAsync($"/api/projects/{id}/stream");

        var health = await (await edge.Client.GetAsync("/edge/health")).ReadJsonAsync();
        Assert.Equal(api.BaseUrl.ToString().TrimEnd('/'), health["upstreams"]![0]!["address"]!.GetValue<string>());
        var metrics = await edge.Client.GetStringAsync("/edge/metrics");
        foreach (var name in new[] { "edge_requests", "edge_upstream_duration", "edge_cache_hits", "edge_cache_misses", "edge_bytes_from_cache", "edge_bytes_from_origin", "http_server_request_duration" })
            Assert.Contains(name, metrics);
    }

    [Fact]
    public async Task Cors_from_configuration_replaces_the_api_decision()
    {
        await using var api = RunningApi.Start(new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = "https://api-only.example" });
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl], new Dictionary<string, string?> { ["Edge:Cors:AllowedOrigins:0"] = "https://app.example" });

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/projects");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var answer = await edge.Client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("https://app.example", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var foreign = new HttpRequestMessage(HttpMethod.Get, "/api/health/live");
        foreign.Headers.Add("Origin", "https://api-only.example");
        var response = await edge.Client.SendAsync(foreign);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
