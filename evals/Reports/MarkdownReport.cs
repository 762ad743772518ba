using System.Globalization;
using System.Text;
using System.Text.Json;
using TeacherPlatform.Evals.Load;
using TeacherPlatform.Evals.Client;
using TeacherPlatform.Evals.Commands;
using TeacherPlatform.Evals.Metrics;

namespace TeacherPlatform.Evals.Reports;

/// <summary>
/// REPORT.md from the JSON results: the headline target table (latest run of each command), then one section per
/// run, oldest first — every command appends a section, and `report` rebuilds the whole file from the JSON alone.
/// </summary>
public static class MarkdownReport
{
    public static string Rebuild(string resultsDir)
    {
        var runs = ResultStore.ReadAll(resultsDir);
        var charts = Path.Combine(resultsDir, "charts");
        var sb = new StringBuilder();
        sb.AppendLine("# TeacherPlatform evaluation report").AppendLine();
        if (File.Exists(Path.Combine(resultsDir, "PERFORMANCE.md")))
            sb.AppendLine("Issue 11, every goal before and after on the same machine, and where the time of a query goes (profile under 100 users, per-request CPU, the cause of the tail): [PERFORMANCE.md](PERFORMANCE.md).").AppendLine();
        if (File.Exists(Path.Combine(resultsDir, "experiments-issue10.md")))
            sb.AppendLine("Retrieval and confidence changes tried on both datasets, one table each with its effect: [experiments-issue10.md](experiments-issue10.md).").AppendLine();
        sb.AppendLine($"Generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC from {runs.Count} result file(s) in `evals/results/` by `dotnet run --project evals -- report`.").AppendLine();

        JsonDocument? LastRun(string command) =>
            runs.LastOrDefault(r => r.Doc.RootElement.GetProperty("command").GetString() == command).Doc;
        T? Latest<T>(string command) where T : class =>
            LastRun(command)?.RootElement.GetProperty("results").Deserialize<T>(Json.Options);
        var retrieval = Latest<RetrievalResult>("retrieval");
        var ann = Latest<AnnResult>("ann");
        var answers = Latest<AnswersResult>("answers");
        // Bench runs may cover different scenarios (e.g. distinct and repeated mixes run separately): the latest
        // result of each scenario counts.
        var benches = runs.Where(r => r.Doc.RootElement.GetProperty("command").GetString() == "bench")
            .Select(r => r.Doc.RootElement.GetProperty("results").Deserialize<BenchResult>(Json.Options)!).ToList();
        // The 100-user goals are judged on runs that peak at 100 users; a smoke run at 200 users has goals of its own.
        static int Peak(BenchResult b) => b.Stages.Count == 0 ? 0 : b.Stages.Max(s => s.Target);
        static BenchResult? Merge(IReadOnlyList<BenchResult> list) => list.Count == 0 ? null : list[^1] with
        {
            Scenarios = list.SelectMany(b => b.Scenarios).GroupBy(s => s.Name).Select(g => g.Last()).ToList(),
        };
        var byPeak = benches.ToLookup(b => b.Profile == "smoke" && Peak(b) >= 200);
        var smoke200 = byPeak[true].ToList();
        var bench = Merge(byPeak[false].ToList());

        sb.AppendLine("## Targets (issue 5 §7), latest run of each command (for bench, of each scenario)").AppendLine();
        // The latest retrieval and answers runs may be of any dataset: say which, so a figure is not read as another's.
        string? CorpusOf(string command) =>
            LastRun(command)?.RootElement.TryGetProperty("corpus", out var c) == true && c.ValueKind == JsonValueKind.Object
                ? c.GetProperty("name").GetString() : null;
        if (CorpusOf("retrieval") is { } rc)
            sb.AppendLine($"Retrieval rows are from the latest retrieval run, dataset `{rc}`; answers rows from the latest answers run, dataset `{CorpusOf("answers") ?? "–"}`. Every dataset's figures are in the issue 10 table below.").AppendLine();
        sb.AppendLine("| target | measured | result | margin |").AppendLine("|---|---|---|---|");
        // Only the latest 200-user run: older ones measured other code, and mixing them would judge it by stale figures.
        foreach (var t in Targets.Evaluate(retrieval, ann, answers, bench).Concat(Targets.AtPeak(smoke200.LastOrDefault())))
            sb.AppendLine($"| {t.Target} | {t.Measured} | {(t.Pass is null ? "–" : t.Pass.Value ? "PASS" : "MISS")} | {t.Margin} |");
        sb.AppendLine();

        // Issue 10: the same goals per dataset, from the latest retrieval and answers run of each corpus.
        var corpora = runs.Where(r => r.Doc.RootElement.TryGetProperty("corpus", out var c) && c.ValueKind == JsonValueKind.Object)
            .Select(r => r.Doc.RootElement.GetProperty("corpus").GetProperty("name").GetString()!).Distinct().Order(StringComparer.Ordinal).ToList();
        if (corpora.Count > 0)
        {
            T? LatestFor<T>(string command, string corpus) where T : class
            {
                var last = runs.LastOrDefault(r => r.Doc.RootElement.GetProperty("command").GetString() == command
                    && r.Doc.RootElement.TryGetProperty("corpus", out var c) && c.ValueKind == JsonValueKind.Object && c.GetProperty("name").GetString() == corpus);
                return last.Doc is null ? null : last.Doc.RootElement.GetProperty("results").Deserialize<T>(Json.Options);
            }
            var checks = corpora.ToDictionary(c => c, c => Targets.Issue10(LatestFor<RetrievalResult>("retrieval", c), LatestFor<AnswersResult>("answers", c)));
            sb.AppendLine("## Issue 10 goals per dataset (latest retrieval and answers run of each)").AppendLine();
            sb.AppendLine("| goal | " + string.Join(" | ", corpora) + " |").AppendLine("|---|" + string.Concat(corpora.Select(_ => "---|")));
            for (var i = 0; i < checks[corpora[0]].Count; i++)
                sb.AppendLine($"| {checks[corpora[0]][i].Target} | " + string.Join(" | ", corpora.Select(c =>
                {
                    var t = checks[c][i];
                    return t.Pass is null ? t.Measured : $"{t.Measured} {(t.Pass.Value ? "PASS" : "MISS")} ({t.Margin})";
                })) + " |");
            sb.AppendLine();
        }

        foreach (var (path, doc) in runs)
        {
            var root = doc.RootElement;
            var command = root.GetProperty("command").GetString()!;
            var ts = root.GetProperty("timestamp").GetDateTimeOffset();
            var stem = Path.GetFileNameWithoutExtension(path);
            sb.AppendLine($"## {command} — {ts:yyyy-MM-dd HH:mm:ss} UTC").AppendLine();
            sb.AppendLine($"File: `{Path.GetFileName(path)}`  ").AppendLine(Context(root)).AppendLine();
            try
            {
                var results = root.GetProperty("results");
                switch (command)
                {
                    case "load": Load(sb, results.Deserialize<LoadResult>(Json.Options)!); break;
                    case "retrieval": Retrieval(sb, results.Deserialize<RetrievalResult>(Json.Options)!, charts, stem); break;
                    case "ann": Ann(sb, results.Deserialize<AnnResult>(Json.Options)!, charts, stem); break;
                    case "answers": Answers(sb, results.Deserialize<AnswersResult>(Json.Options)!); break;
                    case "bench": Bench(sb, results.Deserialize<BenchResult>(Json.Options)!, charts, stem); break;
                    case "edge-bench": EdgeBench(sb, results.Deserialize<EdgeBenchResult>(Json.Options)!); break;
                    case "scale-bench": ScaleBench(sb, results.Deserialize<ScaleBenchResult>(Json.Options)!); break;
                    case "calibrate": Calibrate(sb, results.Deserialize<CalibrationResult>(Json.Options)!); break;
                    default: sb.AppendLine("(no renderer)"); break;
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or IOException or KeyNotFoundException)
            {
                sb.AppendLine($"(could not render: {ex.Message})");
            }
            if (root.TryGetProperty("notes", out var notes) && notes.GetArrayLength() > 0)
            {
                sb.AppendLine().AppendLine("Notes:");
                foreach (var n in notes.EnumerateArray()) sb.AppendLine($"- {n.GetString()}");
            }
            sb.AppendLine();
        }
        // Hand-curated comparison tables (one per change tried, issue 10) live beside the JSON and are included verbatim.
        var extras = Directory.Exists(resultsDir) ? Directory.GetFiles(resultsDir, "experiments-*.md") : [];
        foreach (var extra in extras.Order(StringComparer.Ordinal))
            sb.AppendLine(File.ReadAllText(extra).TrimEnd()).AppendLine();
        var reportPath = Path.Combine(resultsDir, "REPORT.md");
        Directory.CreateDirectory(resultsDir);
        File.WriteAllText(reportPath, sb.ToString());
        return reportPath;
    }

    private static string Context(JsonElement root)
    {
        var m = root.GetProperty("machine");
        var g = root.GetProperty("git");
        var mem = m.GetProperty("memory_bytes").GetInt64() / (1024.0 * 1024 * 1024);
        var commit = g.TryGetProperty("commit", out var c) ? c.GetString()?[..Math.Min(12, c.GetString()!.Length)] : "?";
        var dirty = g.TryGetProperty("dirty", out var d) && d.ValueKind == JsonValueKind.True ? " (dirty)" : "";
        var corpus = root.TryGetProperty("corpus", out var co) ? $"; corpus `{co.GetProperty("name").GetString()}` ({co.GetProperty("documents").GetInt32()} docs, {co.GetProperty("questions").GetInt32()} questions)" : "";
        var config = string.Join(" ", root.GetProperty("configuration").EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.Null ? $"--{p.Name}" : $"--{p.Name} {p.Value}"));
        return $"Machine: {m.GetProperty("cpu_model").GetString()}, {m.GetProperty("cores").GetInt32()} cores, {mem:0.#} GiB, {m.GetProperty("os").GetString()}; commit `{commit}`{dirty}{corpus}  \nConfiguration: `{config}`";
    }

    private static string L(LatencySummary? l) => l is null || l.Count == 0 ? "–" : $"{l.P50:0.##} / {l.P95:0.##} / {l.P99:0.##} / {l.Max:0.##}";

    private static void Load(StringBuilder sb, LoadResult r)
    {
        sb.AppendLine($"{r.Completed}/{r.Documents} documents completed ({r.Reused} reused), {r.TotalChunks} chunks, {r.WallSeconds:0.#} s wall. Map: `{Path.GetFileName(r.DocumentMapPath)}`.").AppendLine();
        var failed = r.Entries.Where(e => e.Status != "completed").ToList();
        if (failed.Count > 0)
        {
            sb.AppendLine("| doc | status | error |").AppendLine("|---|---|---|");
            foreach (var e in failed) sb.AppendLine($"| {e.ManifestId} | {e.Status} | {e.Error} |");
        }
    }

    private static void Retrieval(StringBuilder sb, RetrievalResult r, string charts, string stem)
    {
        sb.AppendLine($"top_k={r.TopK}, transcript tolerance ±{r.TranscriptToleranceSeconds} s, scoped to dataset: {r.ScopedToDataset}.").AppendLine();
        sb.AppendLine("| mode | level | recall@1 | recall@5 | recall@10 | MRR@10 | nDCG@10 | latency p50/p95/p99/max ms | errors |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var m in r.Modes)
        {
            sb.AppendLine($"| {m.Mode} | page | {m.Page.RecallAt1:0.000} | {m.Page.RecallAt5:0.000} | {m.Page.RecallAt10:0.000} | {m.Page.MrrAt10:0.000} | {m.Page.NdcgAt10:0.000} | {L(m.LatencyMs)} | {m.Errors} |");
            sb.AppendLine($"| {m.Mode} | document | {m.Document.RecallAt1:0.000} | {m.Document.RecallAt5:0.000} | {m.Document.RecallAt10:0.000} | {m.Document.MrrAt10:0.000} | {m.Document.NdcgAt10:0.000} | | |");
        }
        sb.AppendLine().AppendLine("Page-level recall@5 by question kind:").AppendLine();
        var kinds = r.Modes.SelectMany(m => m.PageByKind.Keys).Distinct().Order().ToList();
        sb.AppendLine("| mode | " + string.Join(" | ", kinds) + " |").AppendLine("|---|" + string.Concat(kinds.Select(_ => "---|")));
        foreach (var m in r.Modes)
            sb.AppendLine($"| {m.Mode} | " + string.Join(" | ", kinds.Select(k => m.PageByKind.TryGetValue(k, out var v) ? v.RecallAt5.ToString("0.000", CultureInfo.InvariantCulture) : "–")) + " |");
        if (r.SkippedModes.Count > 0) sb.AppendLine().AppendLine($"Skipped modes: {string.Join(", ", r.SkippedModes)}.");
        TryChart(sb, () => Charts.RetrievalBars(charts, stem, r), "retrieval by mode");
        foreach (var m in r.Modes)
        {
            // Older runs listed only recall@10 misses and carry no recall@5 figure.
            var at5 = m.Misses.Any(x => x.PageRecallAt5 is not null);
            sb.AppendLine().AppendLine($"<details><summary>{m.Mode}: {m.Misses.Count} question(s) with page-level recall{(at5 ? "@5" : "@10")} &lt; 1</summary>").AppendLine();
            sb.AppendLine("| id | kind | expected | top 5 | recall@5 | recall@10 |").AppendLine("|---|---|---|---|---|---|");
            foreach (var x in m.Misses)
                sb.AppendLine($"| {x.Id} | {x.Kind} | {string.Join(", ", x.Expected)} | {string.Join(", ", x.Top5)} | {(x.PageRecallAt5 is { } r5 ? r5.ToString("0.##", CultureInfo.InvariantCulture) : "–")} | {x.PageRecallAt10:0.##} |");
            sb.AppendLine().AppendLine("</details>");
        }
    }

    private static void Ann(StringBuilder sb, AnnResult r, string charts, string stem)
    {
        foreach (var s in r.Sweeps)
        {
            sb.AppendLine($"**{s.Engine}** — {s.Corpus}: {s.Vectors} vectors × {s.Dimensions} dims, {s.Queries} queries, M={s.M}, ef_construction={s.EfConstruction}, build {s.BuildSeconds:0.#} s; exact search p50/p95 {s.ExactLatencyMs.P50:0.###}/{s.ExactLatencyMs.P95:0.###} ms.").AppendLine();
            sb.AppendLine("| ef_search | recall@10 | min recall@10 | p50 ms | p95 ms | p99 ms |").AppendLine("|---|---|---|---|---|---|");
            foreach (var p in s.Points) sb.AppendLine($"| {p.EfSearch} | {p.RecallAt10:0.0000} | {p.MinRecallAt10:0.00} | {p.LatencyMs.P50:0.###} | {p.LatencyMs.P95:0.###} | {p.LatencyMs.P99:0.###} |");
            sb.AppendLine();
        }
        if (r.Skipped.Count > 0) sb.AppendLine("Skipped: " + string.Join("; ", r.Skipped) + ".");
        if (r.Sweeps.Count > 0)
        {
            TryChart(sb, () => Charts.AnnRecall(charts, stem, r), "recall vs ef_search");
            TryChart(sb, () => Charts.AnnLatency(charts, stem, r), "recall vs latency");
        }
    }

    private static void Answers(StringBuilder sb, AnswersResult r)
    {
        var c = r.Confidence.LowVsUncovered;
        sb.AppendLine($"{r.Questions} questions ({r.Covered} covered, {r.Uncovered} uncovered), {r.Errors} errors; latency p50/p95/p99/max {L(r.LatencyMs)} ms.").AppendLine();
        sb.AppendLine("| citation precision | citation recall | cites a relevant page | token F1 | token recall | LLM judge (factual / faithful) |").AppendLine("|---|---|---|---|---|---|");
        var judge = r.JudgeFactualOverlap is null ? r.Judge : $"{r.JudgeFactualOverlap:0.000} / {r.JudgeFaithfulness:0.000}";
        sb.AppendLine($"| {r.CitationPrecision:0.000} | {r.CitationRecall:0.000} | {r.CitesRelevantPageRate:0.000} | {r.TokenF1:0.000} | {r.TokenRecall:0.000} | {judge} |").AppendLine();
        sb.AppendLine("Confidence LOW vs uncovered question:").AppendLine();
        sb.AppendLine("| | uncovered | covered |").AppendLine("|---|---|---|");
        sb.AppendLine($"| **LOW** | {c.TruePositive} | {c.FalsePositive} |");
        sb.AppendLine($"| **MEDIUM/HIGH** | {c.FalseNegative} | {c.TrueNegative} |").AppendLine();
        sb.AppendLine($"Accuracy {r.Confidence.Accuracy:0.000}, LOW precision {r.Confidence.LowPrecision:0.000}, LOW recall {r.Confidence.LowRecall:0.000}; exact: {r.Confidence.Exact}. Distribution: {string.Join(", ", r.Confidence.Distribution.Select(kv => $"{kv.Key} {kv.Value}"))}.");
        if (r.Policy is { } policy)
        {
            sb.AppendLine().AppendLine("Refusal policy (NONE = the not-covered answer without sources; issue 10 goals: covered → NONE ≤ 3 %, uncovered → LOW or NONE ≥ 85 %, HIGH with the gold page among its sources ≥ 95 %):").AppendLine();
            PolicyTable(sb, policy.Select(kv => (kv.Key.Replace('_', ' '), kv.Value)));
            if (r.MeanAnswerWords is { } words) sb.AppendLine().AppendLine($"Mean answer length (covered questions): {words:0.#} words.");
        }
        var wrong = r.Rows.Where(x => x.Error is null && x.Kind != "uncovered" && x.CitesRelevantPage == false).Select(x => x.Id).ToList();
        if (wrong.Count > 0) sb.AppendLine().AppendLine($"Covered questions whose answer cites no relevant page ({wrong.Count}): {string.Join(", ", wrong)}.");
    }

    private static void PolicyTable(StringBuilder sb, IEnumerable<(string Group, PolicySummary P)> rows)
    {
        sb.AppendLine("| questions | covered: NONE / LOW / MEDIUM / HIGH | uncovered: NONE / LOW / MEDIUM / HIGH | covered → NONE | uncovered → LOW or NONE | HIGH with gold page |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var (g, p) in rows)
            sb.AppendLine($"| {g} | {p.CoveredNotCovered} / {p.CoveredLow} / {p.CoveredMedium} / {p.CoveredHigh} | {p.UncoveredNotCovered} / {p.UncoveredLow} / {p.UncoveredMedium} / {p.UncoveredHigh} | {p.CoveredNotCoveredRate:P1} | {p.UncoveredLowOrNotCoveredRate:P1} | {p.HighGoldRate:P1} ({p.HighWithGold}/{p.CoveredHigh}) |");
    }

    private static void Calibrate(StringBuilder sb, CalibrationResult r)
    {
        sb.AppendLine($"Calibrated on the odd-numbered half of `{r.CalibratedOn}` (pooled when several) ({r.Candidates} threshold sets tried, {r.Feasible} meet all three goals on that half).").AppendLine();
        sb.AppendLine($"- current: {CalibrateCommand.Format(r.Current)}");
        sb.AppendLine($"- chosen: {CalibrateCommand.Format(r.Chosen)}").AppendLine();
        PolicyTable(sb, r.Groups.SelectMany(g => new[] { ($"{g.Dataset}, {g.Half}, current", g.Current), ($"{g.Dataset}, {g.Half}, chosen", g.Chosen) }));
    }

    private static void Bench(StringBuilder sb, BenchResult r, string charts, string stem)
    {
        sb.AppendLine($"Profile `{r.Profile}`: {string.Join(" → ", r.Stages.Select(s => $"{s.Name} ({s.Duration.TotalSeconds:0}s)"))}; think {r.ThinkSeconds} s; {r.Students} student accounts.").AppendLine();
        sb.AppendLine("| scenario | requests | req/s | errors | p50 / p95 / p99 / max ms | to `sources` p50/p95/p99/max | cache hit rate | server CPU avg/max % | RSS start→end (max) MB |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var s in r.Scenarios)
        {
            var l = s.Load;
            var cache = s.Cache is null ? "–" : $"{s.Cache.HitRate:P1}" + (s.Cache.HitRateByLayer.Count > 0 ? " (" + string.Join(", ", s.Cache.HitRateByLayer.Select(kv => $"{kv.Key} {kv.Value:P0}")) + ")" : "");
            sb.AppendLine($"| {s.Name} | {l.Requests} | {l.Throughput:0.#} | {l.Errors} ({l.ErrorRate:P2}) | {L(l.LatencyMs)} | {L(l.SourcesMs)} | {cache} | {s.Server.CpuAvgPercent:0}/{s.Server.CpuMaxPercent:0} | {s.Server.MemoryStartMb:0}→{s.Server.MemoryEndMb:0} ({s.Server.MemoryMaxMb:0}) |");
        }
        sb.AppendLine();
        foreach (var s in r.Scenarios)
        {
            sb.AppendLine($"<details><summary>{s.Name}: per stage</summary>").AppendLine();
            sb.AppendLine("| stage | users | requests | req/s | errors | p50 / p95 / p99 / max ms | to `sources` | to `done` |").AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var st in s.Load.Stages)
                sb.AppendLine($"| {st.Name} | {st.TargetUsers} | {st.Requests} | {st.Throughput:0.#} | {st.Errors} | {L(st.LatencyMs)} | {L(st.SourcesMs)} | {L(st.DoneMs)} |");
            if (s.Load.ErrorKinds.Count > 0) sb.AppendLine().AppendLine("Errors: " + string.Join(", ", s.Load.ErrorKinds.Select(kv => $"{kv.Key} × {kv.Value}")));
            sb.AppendLine().AppendLine("</details>").AppendLine();
            TryChart(sb, () => Charts.LoadStages(charts, stem, s), $"{s.Name} latency by stage");
        }
    }

    private static void EdgeBench(StringBuilder sb, EdgeBenchResult r)
    {
        sb.AppendLine($"Project PDF {r.PdfBytes / 1048576.0:0.00} MB ({r.PdfPages} pages); range reads of {r.RangeBytes / 1024} KB at random offsets.").AppendLine();
        sb.AppendLine("| run | target | clients | requests | req/s | MB/s | errors | p50 / p95 / p99 / max ms | X-Edge-Cache |").AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var l in r.Reads)
            sb.AppendLine($"| {l.Name} | {l.Target} | {l.Clients} | {l.Requests} | {l.Throughput:0.#} | {l.MegabytesPerSecond:0.#} | {l.Errors} | {L(l.LatencyMs)} | " +
                          string.Join(", ", l.CacheHeader.Select(kv => $"{kv.Key} × {kv.Value}")) + " |");
        var s = r.Search;
        sb.AppendLine().AppendLine($"`{s.Path}`, {s.Requests} distinct questions each way, one client: direct p50/p95/p99/max {L(s.DirectMs)} ms; " +
                                   $"through the edge {L(s.EdgeMs)} ms; added p50 {s.AddedP50Ms:0.###} ms, p95 {s.AddedP95Ms:0.###} ms.").AppendLine();
        sb.AppendLine("| goal (issue 12) | measured | result |").AppendLine("|---|---|---|");
        foreach (var g in r.Goals) sb.AppendLine($"| {g.Goal} | {g.Measured} | {(g.Met ? "MET" : "MISSED")} |");
    }

    private static void ScaleBench(StringBuilder sb, ScaleBenchResult r)
    {
        var c = r.Corpus;
        sb.AppendLine($"{c.Chunks} chunks ({c.RealChunks} real, the rest derived from {c.Sentences} real sentences); HNSW graph built once in {c.GraphBuildSeconds:0} s, " +
                      $"snapshot {c.SnapshotBytes / 1e6:0} MB. The model embeds {c.ChunksPerSecond:0.#} real chunks/s here ({c.Chunks / c.ChunksPerSecond / 60:0} min for all of them).").AppendLine();
        sb.AppendLine("| goal (issue 11 §6) | measured | result |").AppendLine("|---|---|---|");
        var startup = r.Startups.Max(s => s.SecondsToHealthy);
        sb.AppendLine($"| start-up ≤ 10 s, graph persisted | {string.Join(" / ", r.Startups.Select(s => $"{s.SecondsToHealthy:0.0} s{(s.PageCacheDropped ? " (cold)" : "")}"))}; index from `{r.Startups[0].IndexSource}` in {string.Join(" / ", r.Startups.Select(s => $"{s.IndexLoadMs:0} ms"))} | {(startup <= 10 && r.Startups.All(s => s.IndexSource == "snapshot") ? "MET" : "MISSED")} |");
        sb.AppendLine($"| single-client search p95 ≤ 20 ms ({r.SearchQuestions / 2} distinct questions per mode, mean {r.MeanQuestionWords:0} words) | vector p50 {r.VectorSearchMs.P50:0.0} / p95 {r.VectorSearchMs.P95:0.0} ms; hybrid p50 {r.HybridSearchMs.P50:0.0} / p95 {r.HybridSearchMs.P95:0.0} ms | vector {(r.VectorSearchMs.P95 <= 20 ? "MET" : "MISSED")}, hybrid {(r.HybridSearchMs.P95 <= 20 ? "MET" : "MISSED")} |");
        sb.AppendLine($"| recall@10 ≥ 0.99 vs exact ({r.RecallQueries} real questions, ef_search {r.EfSearch}) | {r.RecallAt10:0.000} (min {r.MinRecallAt10:0.00}); in-process HNSW p50 {r.InProcessHnswMs.P50:0.00} ms, exact {r.InProcessExactMs.P50:0.00} ms | {(r.RecallAt10 >= 0.99 ? "MET" : "MISSED")} |");
    }

    private static void TryChart(StringBuilder sb, Func<string> draw, string alt)
    {
        try
        {
            var file = draw();
            sb.AppendLine().AppendLine($"![{alt}](charts/{file})");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            sb.AppendLine().AppendLine($"(chart '{alt}' not drawn: {ex.GetType().Name}: {ex.Message})");
        }
    }
}
