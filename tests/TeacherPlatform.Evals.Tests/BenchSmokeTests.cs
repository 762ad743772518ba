using System.Text.Json;
using TeacherPlatform.Evals.Commands;

namespace TeacherPlatform.Evals.Tests;

/// <summary>`bench --profile smoke`: a few seconds, few users, against the in-process API; result shape and no errors.</summary>
public sealed class BenchSmokeTests : IAsyncLifetime
{
    private readonly EvalsApiFactory _factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Smoke_profile_runs_health_and_search_without_errors()
    {
        var env = _factory.Env();
        var args = new CommandArgs(["--profile", "smoke", "--users", "3", "--think", "0.2", "--students", "2",
            "--scenarios", "health-repeated,search-distinct", "--dataset", EvalsApiFactory.Tiny, "--cooldown", "0"]);
        var result = await BenchCommand.RunAsync(env, args, CancellationToken.None);

        Assert.Equal("smoke", result.Profile);
        Assert.Equal(2, result.Scenarios.Count);
        foreach (var s in result.Scenarios)
        {
            Assert.True(s.Load.Requests > 0, $"{s.Name}: no requests");
            Assert.Equal(0, s.Load.Errors);
            Assert.Equal(3, s.Load.PeakUsers);
            Assert.True(s.Load.Seconds > 0); // how long depends on the machine: figures belong in benchmarks, not tests
            Assert.True(s.Load.LatencyMs.P50 > 0 && s.Load.LatencyMs.P50 <= s.Load.LatencyMs.P95 && s.Load.LatencyMs.P95 <= s.Load.LatencyMs.Max);
            Assert.Equal(3, s.Load.Stages.Count);
            Assert.NotEmpty(s.Server.Samples);
        }

        var file = Directory.GetFiles(_factory.ResultsDirectory, "bench-*.json").Single();
        var root = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
        Assert.Equal("bench", root.GetProperty("command").GetString());
        var scenario = root.GetProperty("results").GetProperty("scenarios")[1];
        Assert.Equal("search-distinct", scenario.GetProperty("name").GetString());
        var load = scenario.GetProperty("load");
        foreach (var p in new[] { "requests", "errors", "error_rate", "throughput", "latency_ms", "stages" }) Assert.True(load.TryGetProperty(p, out _), p);
        foreach (var p in new[] { "p50", "p95", "p99", "max" }) Assert.True(load.GetProperty("latency_ms").TryGetProperty(p, out _), p);
        Assert.True(scenario.GetProperty("server").TryGetProperty("samples", out _));
    }

    [Fact]
    public void Bench_refuses_non_loopback_hosts_unless_allowed()
    {
        Assert.Throws<InvalidOperationException>(() => CommandEnv.EnsureLoopback(new Uri("http://example.com/"), allowRemote: false));
        CommandEnv.EnsureLoopback(new Uri("http://example.com/"), allowRemote: true);
        CommandEnv.EnsureLoopback(new Uri("http://127.0.0.1:5000/"), allowRemote: false);
        CommandEnv.EnsureLoopback(new Uri("http://localhost/"), allowRemote: false);
        CommandEnv.EnsureLoopback(new Uri("http://[::1]:80/"), allowRemote: false);
    }
}
