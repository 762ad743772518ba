using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TeacherPlatform.Evals.Client;
using TeacherPlatform.Evals.Hosting;
using TeacherPlatform.Evals.Metrics;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace TeacherPlatform.Evals.Commands;

/// <summary>One closed-loop run: N clients sending back to back for a fixed time.</summary>
public sealed record EdgeLoadResult(string Name, string Target, int Clients, double Seconds, long Requests, long Errors, double Throughput,
    double MegabytesPerSecond, LatencySummary LatencyMs, IReadOnlyDictionary<string, long> CacheHeader);

/// <summary>The edge's added latency: the same kind of request, alternating direct and through the edge, one client.</summary>
public sealed record EdgeAddedLatency(string Path, int Requests, LatencySummary DirectMs, LatencySummary EdgeMs, double AddedP50Ms, double AddedP95Ms);

public sealed record EdgeGoal(string Goal, string Measured, bool Met);

public sealed record EdgeBenchResult(long PdfBytes, int PdfPages, int RangeBytes, IReadOnlyList<EdgeLoadResult> Reads, EdgeAddedLatency Search,
    IReadOnlyList<EdgeGoal> Goals);

/// <summary>
/// `edge-bench`: the edge gateway (src/Edge) against the API's own stream endpoint. Starts an API (embedded defaults,
/// rate limiting off) and an edge in front of it unless --api-url/--edge-url are given, uploads a ~5 MB PDF project,
/// then with N concurrent clients (default 50) for a fixed time each: full reads and 64 KB range reads of
/// /api/projects/{id}/stream through the edge (served from its disk cache after the first fill) and directly from the
/// API; finally the edge's added latency on POST /api/search (distinct questions, one client, alternating targets).
/// </summary>
public static class EdgeBenchCommand
{
    public static async Task<EdgeBenchResult> RunAsync(CommandEnv env, CommandArgs args, CancellationToken ct)
    {
        ServerProcess? api = null;
        EdgeProcess? edge = null;
        try
        {
            Uri apiUrl, edgeUrl;
            if (args.Get("api-url") is { } a) apiUrl = new Uri(a.TrimEnd('/') + "/");
            else { api = await ServerProcess.StartAsync(null, env.Out, ct); apiUrl = api.BaseUrl; }
            if (args.Get("edge-url") is { } e) edgeUrl = new Uri(e.TrimEnd('/') + "/");
            else { edge = await EdgeProcess.StartAsync(apiUrl, env.Out, ct); edgeUrl = edge.BaseUrl; }
            CommandEnv.EnsureLoopback(apiUrl, args.Flag("allow-remote"));
            CommandEnv.EnsureLoopback(edgeUrl, args.Flag("allow-remote"));
            var result = await MeasureAsync(env, args, apiUrl, edgeUrl, ct);

            var notes = new List<string>
            {
                "Shared 2-core machine: API, edge and the load generator run on the same cores, so the figures include CPU contention between them.",
                "Edge reads are served from the edge's on-disk cache (filled once before measuring; X-Edge-Cache counts below); direct reads go to the API's stream endpoint (local storage).",
                "Search runs against an empty knowledge base (the query is still embedded and both indexes searched); each question is made unique so no answer cache is hit.",
            };
            var config = new Dictionary<string, string?> { ["base_url"] = edgeUrl.ToString(), ["api_url"] = apiUrl.ToString(), ["edge_url"] = edgeUrl.ToString() };
            env.Save("edge-bench", args, null, result, notes, config);
            return result;
        }
        finally
        {
            if (edge is not null) await edge.DisposeAsync();
            if (api is not null)
            {
                await api.DisposeAsync();
                try { Directory.Delete(api.DataDirectory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static async Task<EdgeBenchResult> MeasureAsync(CommandEnv env, CommandArgs args, Uri apiUrl, Uri edgeUrl, CancellationToken ct)
    {
        var clients = Math.Max(1, args.Int("clients", 50));
        var duration = TimeSpan.FromSeconds(args.Double("duration", 15));
        var rangeBytes = args.Int("range-bytes", 64 * 1024);
        var targetBytes = (long)(args.Double("pdf-mb", 5) * 1024 * 1024);
        var searchRequests = args.Int("search-requests", 200);

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        using var direct = new HttpClient(handler, disposeHandler: false) { BaseAddress = apiUrl, Timeout = TimeSpan.FromSeconds(60) };
        using var viaEdge = new HttpClient(handler, disposeHandler: false) { BaseAddress = edgeUrl, Timeout = TimeSpan.FromSeconds(60) };

        // Teacher registered through the edge (a plain proxied route), project uploaded and confirmed directly.
        var teacher = new TeacherPlatformClient(viaEdge);
        var tokens = await teacher.RegisterOrLoginAsync(Accounts.TeacherEmail(args), args.Get("password", Accounts.Password), "Evals Teacher", "teacher", ct);
        var auth = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        var (pdf, pages) = BuildPdf(targetBytes);
        env.Out.WriteLine($"edge-bench: PDF {pdf.Length / 1048576.0:0.00} MB, {pages} pages");
        var projectId = await CreateProjectAsync(direct, auth, pdf, pages, ct);
        var path = $"api/projects/{projectId}/stream";

        // Fill the edge cache once and check both sides serve the same bytes.
        foreach (var c in new[] { viaEdge, direct })
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, path);
            req.Headers.Authorization = auth;
            using var r = await c.SendAsync(req, ct);
            var body = await r.Content.ReadAsByteArrayAsync(ct);
            if (r.StatusCode != HttpStatusCode.OK || body.Length != pdf.Length)
                throw new InvalidOperationException($"GET {c.BaseAddress}{path}: {(int)r.StatusCode}, {body.Length} bytes (expected {pdf.Length}).");
        }

        var reads = new List<EdgeLoadResult>();
        foreach (var (name, target, client, range) in new[]
                 {
                     ("full-edge", "edge", viaEdge, false), ("full-api", "api", direct, false),
                     ("range-edge", "edge", viaEdge, true), ("range-api", "api", direct, true),
                 })
        {
            env.Out.WriteLine($"edge-bench: {name} ({clients} clients, {duration.TotalSeconds:0} s)");
            var r = await LoadAsync(name, target, client, auth, path, pdf.Length, range ? rangeBytes : null, clients, duration, ct);
            env.Out.WriteLine($"  {r.Requests} requests, {r.Throughput:0.#} req/s, {r.MegabytesPerSecond:0.#} MB/s, errors {r.Errors}, " +
                              $"p50/p95/p99 {r.LatencyMs.P50:0.##}/{r.LatencyMs.P95:0.##}/{r.LatencyMs.P99:0.##} ms");
            reads.Add(r);
        }

        env.Out.WriteLine($"edge-bench: search added latency ({searchRequests} questions each way, one client)");
        var search = await SearchLatencyAsync(direct, viaEdge, auth, searchRequests, ct);
        env.Out.WriteLine($"  direct p50/p95 {search.DirectMs.P50:0.###}/{search.DirectMs.P95:0.###} ms, edge {search.EdgeMs.P50:0.###}/{search.EdgeMs.P95:0.###} ms, " +
                          $"added p50 {search.AddedP50Ms:0.###} ms, p95 {search.AddedP95Ms:0.###} ms");

        var rangeEdge = reads.First(r => r.Name == "range-edge");
        var goals = new List<EdgeGoal>
        {
            new("cached range read p99 ≤ 10 ms (edge, 50 clients)", $"{rangeEdge.LatencyMs.P99:0.##} ms", rangeEdge.Errors == 0 && rangeEdge.LatencyMs.P99 <= 10),
            new("edge added latency on /api/search ≤ 1 ms at p50", $"{search.AddedP50Ms:0.###} ms", search.AddedP50Ms <= 1),
        };
        foreach (var g in goals) env.Out.WriteLine($"goal: {g.Goal}: {g.Measured} {(g.Met ? "MET" : "MISSED")}");
        return new EdgeBenchResult(pdf.Length, pages, rangeBytes, reads, search, goals);
    }

    /// <summary>A valid multi-page PDF (text and staff lines per page, as the tests build them) of about the given size.</summary>
    internal static (byte[] Bytes, int Pages) BuildPdf(long targetBytes)
    {
        // Measure one build to size the next: each page carries ~40 lines of text, a few KB uncompressed.
        var pages = 50;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var bytes = Build(pages);
            if (bytes.Length >= targetBytes * 0.95) return (bytes, pages);
            pages = (int)Math.Ceiling(pages * (double)targetBytes / bytes.Length) + 1;
        }
        return (Build(pages), pages);

        static byte[] Build(int pages)
        {
            var builder = new PdfDocumentBuilder();
            var font = builder.AddStandard14Font(Standard14Font.Helvetica);
            for (var p = 1; p <= pages; p++)
            {
                var page = builder.AddPage(PageSize.A4);
                page.AddText($"Edge benchmark - page {p}", 14, new PdfPoint(72, 780), font);
                for (var line = 0; line < 40; line++)
                    page.AddText($"Bar {p * 40 + line}: legato, with a relaxed wrist; count the rests, listen to the bass line.", 9,
                        new PdfPoint(72, 750 - line * 16), font);
                for (var staff = 0; staff < 5; staff++)
                    page.DrawLine(new PdfPoint(72, 90 - staff * 8), new PdfPoint(520, 90 - staff * 8), 0.8);
            }
            return builder.Build();
        }
    }

    private static async Task<Guid> CreateProjectAsync(HttpClient http, AuthenticationHeaderValue auth, byte[] pdf, int pages, CancellationToken ct)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/projects")
        {
            Content = JsonContent.Create(new { title = "Edge benchmark score", description = "edge-bench", filename = "edge-bench.pdf" }),
        };
        create.Headers.Authorization = auth;
        using var created = await http.SendAsync(create, ct);
        var text = await created.Content.ReadAsStringAsync(ct);
        if (created.StatusCode != HttpStatusCode.Created) throw new ApiException((int)created.StatusCode, text, "create project");
        var body = JsonNode.Parse(text)!;
        var id = Guid.Parse(body["project"]!["id"]!.GetValue<string>());

        using var put = new HttpRequestMessage(HttpMethod.Put, body["upload_url"]!.GetValue<string>()) { Content = new ByteArrayContent(pdf) };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var uploaded = await http.SendAsync(put, ct);
        if (!uploaded.IsSuccessStatusCode) throw new ApiException((int)uploaded.StatusCode, await uploaded.Content.ReadAsStringAsync(ct), "upload project PDF");

        using var confirm = new HttpRequestMessage(HttpMethod.Post, $"api/projects/{id}/confirm")
        {
            Content = JsonContent.Create(new { file_size_bytes = pdf.Length, page_count = pages }),
        };
        confirm.Headers.Authorization = auth;
        using var confirmed = await http.SendAsync(confirm, ct);
        if (!confirmed.IsSuccessStatusCode) throw new ApiException((int)confirmed.StatusCode, await confirmed.Content.ReadAsStringAsync(ct), "confirm project");
        return id;
    }

    private static async Task<EdgeLoadResult> LoadAsync(string name, string target, HttpClient http, AuthenticationHeaderValue auth, string path,
        long size, int? rangeBytes, int clients, TimeSpan duration, CancellationToken ct)
    {
        // Short warm-up (JIT, connections) outside the measurement.
        await RunClientsAsync(http, auth, path, size, rangeBytes, clients, TimeSpan.FromSeconds(1), null, ct);
        var histogram = Percentiles.NewHistogram();
        var stats = new LoadStats();
        var sw = Stopwatch.StartNew();
        await RunClientsAsync(http, auth, path, size, rangeBytes, clients, duration, (histogram, stats), ct);
        var seconds = sw.Elapsed.TotalSeconds;
        return new EdgeLoadResult(name, target, clients, Math.Round(seconds, 2), stats.Requests, stats.Errors, Math.Round(stats.Requests / seconds, 1),
            Math.Round(stats.Bytes / 1048576.0 / seconds, 1), Percentiles.Summarize(histogram), stats.CacheHeaders());
    }

    private sealed class LoadStats
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, long> _cache = new(StringComparer.Ordinal);
        public long Requests, Errors, Bytes;

        public void Add(bool ok, long bytes, string? cache)
        {
            Interlocked.Increment(ref Requests);
            if (!ok) Interlocked.Increment(ref Errors);
            Interlocked.Add(ref Bytes, bytes);
            lock (_lock) _cache[cache ?? "none"] = _cache.GetValueOrDefault(cache ?? "none") + 1;
        }

        public IReadOnlyDictionary<string, long> CacheHeaders() { lock (_lock) return new Dictionary<string, long>(_cache); }
    }

    private static async Task RunClientsAsync(HttpClient http, AuthenticationHeaderValue auth, string path, long size, int? rangeBytes,
        int clients, TimeSpan duration, (HdrHistogram.LongHistogram Histogram, LoadStats Stats)? record, CancellationToken ct)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            var rng = new Random(i);
            var own = new byte[81920];
            while (Stopwatch.GetTimestamp() < end && !ct.IsCancellationRequested)
            {
                using var req = new HttpRequestMessage(HttpMethod.Get, path);
                req.Headers.Authorization = auth;
                var expected = size;
                var wantStatus = HttpStatusCode.OK;
                if (rangeBytes is { } rb)
                {
                    var from = rng.NextInt64(0, Math.Max(1, size - rb));
                    req.Headers.Range = new RangeHeaderValue(from, from + rb - 1);
                    expected = rb;
                    wantStatus = HttpStatusCode.PartialContent;
                }
                var start = Stopwatch.GetTimestamp();
                long read = 0;
                var ok = false;
                string? cache = null;
                try
                {
                    using var r = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
                    cache = r.Headers.TryGetValues("X-Edge-Cache", out var v) ? v.FirstOrDefault() : null;
                    await using var s = await r.Content.ReadAsStreamAsync(ct);
                    int n;
                    while ((n = await s.ReadAsync(own, ct)) > 0) read += n;
                    ok = r.StatusCode == wantStatus && read == expected;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (record is { } rec)
                {
                    lock (rec.Histogram) Percentiles.RecordMillis(rec.Histogram, ms);
                    rec.Stats.Add(ok, read, cache);
                }
            }
        }));
    }

    private static async Task<EdgeAddedLatency> SearchLatencyAsync(HttpClient direct, HttpClient viaEdge, AuthenticationHeaderValue auth, int count,
        CancellationToken ct)
    {
        string[] questions =
        [
            "How do I improve finger independence?", "How should I practise scales?", "When should I use the una corda pedal?",
            "How can I play legato octaves?", "What helps with memorising a piece?", "How do I count dotted rhythms?",
        ];
        async Task<double> One(HttpClient c, string q)
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "api/search")
            {
                Content = JsonContent.Create(new SearchRequest(q, 5, "hybrid", null), options: Json.Options),
            };
            req.Headers.Authorization = auth;
            var start = Stopwatch.GetTimestamp();
            using var r = await c.SendAsync(req, ct);
            await r.Content.ReadAsByteArrayAsync(ct);
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!r.IsSuccessStatusCode) throw new ApiException((int)r.StatusCode, await r.Content.ReadAsStringAsync(ct), "search");
            return ms;
        }
        // Warm-up both paths, then alternate (the order flips every pair) so drift and noise hit both sides alike.
        for (var i = 0; i < 20; i++) { await One(direct, $"warm-up {i}"); await One(viaEdge, $"warm-up edge {i}"); }
        var hd = Percentiles.NewHistogram();
        var he = Percentiles.NewHistogram();
        for (var i = 0; i < count; i++)
        {
            var q = $"{questions[i % questions.Length]} {BenchCommand.Word(i)}";
            if (i % 2 == 0)
            {
                Percentiles.RecordMillis(hd, await One(direct, q + " d"));
                Percentiles.RecordMillis(he, await One(viaEdge, q + " e"));
            }
            else
            {
                Percentiles.RecordMillis(he, await One(viaEdge, q + " e"));
                Percentiles.RecordMillis(hd, await One(direct, q + " d"));
            }
        }
        var d = Percentiles.Summarize(hd);
        var e = Percentiles.Summarize(he);
        return new EdgeAddedLatency("/api/search", count, d, e, Math.Round(e.P50 - d.P50, 3), Math.Round(e.P95 - d.P95, 3));
    }
}
