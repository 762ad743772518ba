using TeacherPlatform.Evals.Client;
using TeacherPlatform.Evals.Datasets;
using TeacherPlatform.Evals.Load;

namespace TeacherPlatform.Evals.Commands;

public sealed record CacheDelta(long Hits, long Misses, double HitRate, IReadOnlyDictionary<string, double> HitRateByLayer);

public sealed record ScenarioResult(string Name, string Target, string Mix, LoadRunResult Load, CacheDelta? Cache, ResourceSummary Server);

public sealed record BenchResult(string Profile, IReadOnlyList<Stage> Stages, double ThinkSeconds, int Students, IReadOnlyList<ScenarioResult> Scenarios);

/// <summary>
/// `bench`: the load generator. For each scenario (target × question mix) runs the profile, reads the cache counters
/// before/after and samples the server's CPU and memory.
/// Targets: search (/api/search hybrid), chat (/api/chat/query JSON), sse (/api/chat/query SSE: time to `sources` and
/// `done`), health (/api/health). Mixes: distinct (each request's question made unique by a suffix word: cache miss)
/// and repeated (a small fixed set of questions: cache hit after the first round); long: distinct real-length student
/// questions (20-50 words, <c>questions-long.txt</c> of the dataset), as real users ask, made unique the same way.
/// </summary>
public static class BenchCommand
{
    public static readonly string[] DefaultScenarios =
        ["search-distinct", "search-long", "search-repeated", "chat-distinct", "chat-long", "chat-repeated", "sse-distinct", "sse-long", "sse-repeated"];

    public static async Task<BenchResult> RunAsync(CommandEnv env, CommandArgs args, CancellationToken ct)
    {
        CommandEnv.EnsureLoopback(env.BaseUrl, args.Flag("allow-remote"));
        var profile = LoadProfile.Named(args.Get("profile", "full"), args.Double("scale", 1), args.Has("users") ? args.Int("users", 5) : null,
            args.Double("think", 1));
        var datasetPath = args.Get("dataset", "evals/datasets/pedagogy");
        var dataset = Directory.Exists(datasetPath) ? Dataset.Load(datasetPath) : null;
        var questions = dataset?.Questions.Where(q => !q.IsUncovered).Select(q => q.Text).ToArray() is { Length: > 0 } qs
            ? qs : ["How do I improve finger independence?", "How should I practise scales?", "When should I use the una corda pedal?"];
        var longQuestions = LongQuestions(datasetPath) is { Length: > 0 } lq ? lq : questions;
        var map = dataset is null ? null : DocumentMap.TryLoad(args.Get("docmap") ?? DocumentMap.DefaultPath(env.ResultsDirectory, dataset.Name));
        var docIds = map is not null && args.Flag("scope") ? map.CompletedServerIds : null;
        var repeatSet = Math.Max(1, args.Int("repeat-set", 10));
        var scenarios = args.List("scenarios", DefaultScenarios);
        var studentCount = Math.Max(1, Math.Min(args.Int("students", 20), profile.MaxUsers));
        var notes = new List<string>
        {
            $"Profile '{profile.Name}': " + string.Join(", ", profile.Stages.Select(s => $"{s.Name} {s.Duration.TotalSeconds:0}s")) + $"; think time {profile.ThinkTime.TotalSeconds:0.##} s.",
            "Run the server with RateLimiting__Enabled=false for benchmarks (otherwise 429s count as errors).",
        };

        var tokens = await Accounts.StudentTokensAsync(env, args, studentCount, ct);
        var clients = Enumerable.Range(0, profile.MaxUsers)
            .Select(i => env.CreateClient(TimeSpan.FromSeconds(60)).WithToken(tokens[i % tokens.Count].AccessToken, tokens[i % tokens.Count].User))
            .ToArray();
        var probe = clients[0];
        var results = new List<ScenarioResult>();
        long unique = 0;

        foreach (var scenario in scenarios)
        {
            var parts = scenario.Split('-');
            var target = parts[0];
            var mix = parts.Length > 1 ? parts[1] : "repeated";
            env.Out.WriteLine($"bench: {scenario} ({profile.Name}, {profile.TotalDuration.TotalSeconds:0}s, peak {profile.MaxUsers} users)");

            string Question(long iteration, int user)
            {
                if (mix == "long")
                {
                    var n = Interlocked.Increment(ref unique);
                    return $"{longQuestions[n % longQuestions.Length]} {Word(n)}";
                }
                if (mix == "distinct")
                {
                    var n = Interlocked.Increment(ref unique);
                    return $"{questions[n % questions.Length]} {Word(n)}";
                }
                return questions[(user + iteration) % Math.Min(repeatSet, questions.Length)];
            }

            Func<int, long, CancellationToken, Task<RequestOutcome>> send = target switch
            {
                "search" => async (u, it, t) =>
                {
                    await clients[u].SearchAsync(new SearchRequest(Question(it, u), args.Int("top-k", 8), args.Get("mode", "hybrid"), docIds), t);
                    return new RequestOutcome(true);
                },
                "chat" => async (u, it, t) =>
                {
                    var r = await clients[u].ChatAsync(new ChatRequest(Question(it, u), null, docIds, null), t);
                    return new RequestOutcome(r.Content.Length > 0, r.Content.Length > 0 ? null : "empty_answer");
                },
                "sse" => async (u, it, t) =>
                {
                    var r = await clients[u].ChatStreamAsync(new ChatRequest(Question(it, u), null, docIds, null), t);
                    return new RequestOutcome(r.ErrorCode is null && r.Confidence is not null, r.ErrorCode ?? (r.Confidence is null ? "no_done_event" : null),
                        r.SourcesMs, r.DoneMs);
                },
                "health" => async (u, _, t) =>
                {
                    var status = await clients[u].HealthAsync(t);
                    return new RequestOutcome(status == 200, status == 200 ? null : $"http_{status}");
                },
                _ => throw new ArgumentException($"Unknown bench target '{target}' (search, chat, sse, health)."),
            };

            var before = new PrometheusText(await probe.MetricsTextAsync(ct));
            using var samplerStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sampler = new ServerSampler(env.ServerPid ?? (args.Has("server-pid") ? args.Int("server-pid", 0) : null), probe);
            var sampling = sampler.RunAsync(samplerStop.Token);
            var generator = new LoadGenerator(profile, send, args.Int("max-requests", 5_000_000), TimeSpan.FromSeconds(args.Int("request-timeout", 30)));
            var load = await generator.RunAsync(ct);
            await samplerStop.CancelAsync();
            var server = await sampling;
            var after = new PrometheusText(await probe.MetricsTextAsync(ct));
            var cache = Delta(before, after);
            results.Add(new ScenarioResult(scenario, target, mix, load, cache, server));
            env.Out.WriteLine($"  {load.Requests} requests, {load.Errors} errors, {load.Throughput} req/s, p50 {load.LatencyMs.P50} ms, p95 {load.LatencyMs.P95} ms, p99 {load.LatencyMs.P99} ms" +
                (cache is null ? "" : $", cache hit rate {cache.HitRate:P1}"));
            if (scenario != scenarios[^1]) await Task.Delay(TimeSpan.FromSeconds(args.Double("cooldown", 2)), ct);
        }
        if (results.Any(r => r.Cache is null)) notes.Add("Cache hit rate: /metrics exposed no cache_hits_total/cache_misses_total counters (or they did not move).");

        var result = new BenchResult(profile.Name, profile.Stages, profile.ThinkTime.TotalSeconds, studentCount, results);
        env.Save("bench", args, dataset?.Describe(), result, notes);
        return result;
    }

    /// <summary>A pronounceable-enough unique word for n (base-26 letters), so the question text and cache key differ.</summary>
    public static string Word(long n)
    {
        var chars = new List<char> { 'q' };
        do { chars.Add((char)('a' + (int)(n % 26))); n /= 26; } while (n > 0);
        return new string(chars.ToArray());
    }

    private static CacheDelta? Delta(PrometheusText before, PrometheusText after)
    {
        const string hits = "cache_hits_total", misses = "cache_misses_total";
        if (!after.Has(hits) && !after.Has(misses)) return null;
        var h = (long)(after.Sum(hits) - before.Sum(hits));
        var m = (long)(after.Sum(misses) - before.Sum(misses));
        var hb = before.SumBy(hits, "layer");
        var mb = before.SumBy(misses, "layer");
        var byLayer = new Dictionary<string, double>();
        var ha = after.SumBy(hits, "layer");
        var ma = after.SumBy(misses, "layer");
        foreach (var layer in ha.Keys.Union(ma.Keys))
        {
            var lh = ha.GetValueOrDefault(layer) - hb.GetValueOrDefault(layer);
            var lm = ma.GetValueOrDefault(layer) - mb.GetValueOrDefault(layer);
            if (lh + lm > 0) byLayer[layer.Length == 0 ? "all" : layer] = Math.Round(lh / (lh + lm), 4);
        }
        return new CacheDelta(h, m, h + m == 0 ? 0 : Math.Round((double)h / (h + m), 4), byLayer);
    }

    /// <summary>The dataset's real-length questions (one per line), or none when it has no such file.</summary>
    public static string[] LongQuestions(string datasetPath)
    {
        var path = Path.Combine(datasetPath, "questions-long.txt");
        return File.Exists(path) ? File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray() : [];
    }
}
