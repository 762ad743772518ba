using TeacherPlatform.Evals.Commands;
using TeacherPlatform.Evals.Load;

namespace TeacherPlatform.Evals.Reports;

/// <summary>A target from issue 5 §7 (or SPEC §5), with the measured value, pass/miss and the margin.</summary>
public sealed record TargetCheck(string Target, string Measured, bool? Pass, string Margin);

public static class Targets
{
    private static string F(double v, string unit = "") => unit.Length > 0 ? $"{v:0.###} {unit}" : $"{v:0.####}";

    private static TargetCheck AtMost(string name, double? value, double limit, string unit = "ms") => value is null
        ? new TargetCheck(name, "not measured", null, "")
        : new TargetCheck(name, F(value.Value, unit), value <= limit,
            value <= limit ? (limit == 0 ? "none" : $"{F(limit - value.Value, unit)} under")
                : limit == 0 ? $"missed by {F(value.Value, unit)}" : $"missed by {F(value.Value - limit, unit)} ({value.Value / limit:0.0}× the limit)");

    private static TargetCheck AtLeast(string name, double? value, double limit) => value is null
        ? new TargetCheck(name, "not measured", null, "")
        : new TargetCheck(name, F(value.Value), value >= limit, value >= limit ? $"+{F(value.Value - limit)}" : $"missed by {F(limit - value.Value)}");

    public static IReadOnlyList<TargetCheck> Evaluate(RetrievalResult? retrieval, AnnResult? ann, AnswersResult? answers, BenchResult? bench)
    {
        var list = new List<TargetCheck>();
        var hybrid = retrieval?.Modes.FirstOrDefault(m => m.Mode == "hybrid");
        var vector = retrieval?.Modes.FirstOrDefault(m => m.Mode == "vector");
        var keyword = retrieval?.Modes.FirstOrDefault(m => m.Mode == "keyword");
        list.Add(AtLeast("hybrid page-level recall@5 ≥ 0.90", hybrid?.Page.RecallAt5, 0.90));
        if (hybrid is not null && vector is not null && keyword is not null)
        {
            var best = Math.Max(vector.Page.RecallAt5, keyword.Page.RecallAt5);
            list.Add(new TargetCheck("hybrid recall@5 > vector-only and > keyword-only",
                $"hybrid {F(hybrid.Page.RecallAt5)}, vector {F(vector.Page.RecallAt5)}, keyword {F(keyword.Page.RecallAt5)}",
                hybrid.Page.RecallAt5 > best, hybrid.Page.RecallAt5 > best ? $"+{F(hybrid.Page.RecallAt5 - best)} over the better single mode" : $"missed by {F(best - hybrid.Page.RecallAt5)}"));
        }
        else list.Add(new TargetCheck("hybrid recall@5 > vector-only and > keyword-only", "not measured", null, ""));

        var synthetic = ann?.Sweeps.FirstOrDefault(s => s.Engine.StartsWith("in-process", StringComparison.Ordinal) && s.Corpus.StartsWith("synthetic", StringComparison.Ordinal));
        var atDefault = synthetic?.Points.FirstOrDefault(p => p.EfSearch == 100) ?? synthetic?.Points.LastOrDefault();
        list.Add(AtLeast($"ANN recall@10 ≥ 0.99 (in-process HNSW, synthetic {synthetic?.Vectors}, ef_search={atDefault?.EfSearch})", atDefault?.RecallAt10, 0.99));
        foreach (var s in ann?.Sweeps.Where(s => s != synthetic) ?? [])
        {
            var p = s.Points.FirstOrDefault(x => x.EfSearch == 100) ?? s.Points.Last();
            list.Add(AtLeast($"ANN recall@10 ≥ 0.99 ({s.Engine}, {s.Corpus}, ef_search={p.EfSearch})", p.RecallAt10, 0.99));
        }

        StageResult? Hold(string scenario, string stage) =>
            bench?.Scenarios.FirstOrDefault(s => s.Name == scenario)?.Load.Stages.FirstOrDefault(st => st.Name == stage);
        var peakHold = bench?.Stages.Where(s => s.Name.StartsWith("hold", StringComparison.Ordinal)).Select(s => s.Name).ToList() ?? [];
        var hold100 = peakHold.Contains("hold 100") ? "hold 100" : peakHold.LastOrDefault() ?? "hold 100";
        var at = hold100 == "hold 100" ? "100 users" : hold100;
        list.Add(AtMost($"/api/search p95 ≤ 25 ms ({at}, distinct)", Hold("search-distinct", hold100)?.LatencyMs.P95, 25));
        list.Add(AtMost($"/api/chat/query JSON p95 ≤ 50 ms ({at}, distinct)", Hold("chat-distinct", hold100)?.LatencyMs.P95, 50));
        list.Add(AtMost($"SSE time to `sources` p95 ≤ 30 ms ({at}, distinct)", Hold("sse-distinct", hold100)?.SourcesMs?.P95, 30));
        if (bench?.Scenarios.Any(s => s.Mix == "long") == true)
        {
            list.Add(AtMost($"/api/search p95 ≤ 25 ms ({at}, distinct real-length questions)", Hold("search-long", hold100)?.LatencyMs.P95, 25));
            list.Add(AtMost($"/api/chat/query JSON p95 ≤ 50 ms ({at}, distinct real-length questions)", Hold("chat-long", hold100)?.LatencyMs.P95, 50));
            list.Add(AtMost($"SSE time to `sources` p95 ≤ 30 ms ({at}, distinct real-length questions)", Hold("sse-long", hold100)?.SourcesMs?.P95, 30));
        }
        var distinctErrors = bench?.Scenarios.Where(s => s.Mix is "distinct" or "long").Select(s => Hold(s.Name, hold100)?.Errors ?? 0).Sum();
        list.Add(AtMost($"errors = 0 ({at}, distinct)", distinctErrors, 0, ""));
        foreach (var (name, label) in new[] { ("search-repeated", "/api/search"), ("chat-repeated", "/api/chat/query JSON") })
            list.Add(AtMost($"{label} p95 ≤ 5 ms ({at}, repeated questions)", Hold(name, hold100)?.LatencyMs.P95, 5));
        list.Add(AtMost($"SSE time to `sources` p95 ≤ 5 ms ({at}, repeated questions)", Hold("sse-repeated", hold100)?.SourcesMs?.P95, 5));
        if (bench is not null && bench.Stages.Any(s => s.Name == "hold 200"))
        {
            var errors200 = bench.Scenarios.Sum(s => s.Load.Stages.FirstOrDefault(st => st.Name == "hold 200")?.Errors ?? 0);
            list.Add(AtMost("stable at 200 users: errors = 0", errors200, 0, ""));
            var growth = bench.Scenarios.Select(s => s.Server.MemoryGrowthMb).Where(g => g is not null).Select(g => g!.Value).DefaultIfEmpty(double.NaN).Max();
            list.Add(double.IsNaN(growth) ? new TargetCheck("stable at 200 users: no memory growth", "not measured", null, "")
                : AtMost("stable at 200 users: memory growth per scenario ≤ 64 MB (end − start RSS)", growth, 64, "MB"));
        }
        var repeated = bench?.Scenarios.Where(s => s.Mix == "repeated" && s.Cache is not null).ToList();
        if (repeated is { Count: > 0 })
            list.Add(AtLeast("cache hit rate on repeated questions ≥ 0.70 (SPEC §5)", repeated.Average(s => s.Cache!.HitRate), 0.70));
        if (answers is not null)
            list.Add(new TargetCheck("LOW confidence exactly for the uncovered questions",
                $"TP {answers.Confidence.LowVsUncovered.TruePositive}, FP {answers.Confidence.LowVsUncovered.FalsePositive}, FN {answers.Confidence.LowVsUncovered.FalseNegative}",
                answers.Confidence.Exact, answers.Confidence.Exact ? "exact" : $"{answers.Confidence.LowVsUncovered.FalsePositive + answers.Confidence.LowVsUncovered.FalseNegative} misclassified"));
        return list;
    }

    /// <summary>Issue 11's goals at 200 users (a smoke run peaking there): 0 errors and p95 ≤ 100 ms for distinct questions.</summary>
    public static IReadOnlyList<TargetCheck> AtPeak(BenchResult? bench)
    {
        if (bench is null) return [];
        var users = bench.Stages.Max(s => s.Target);
        var list = new List<TargetCheck>();
        var distinct = bench.Scenarios.Where(s => s.Mix is "distinct" or "long").ToList();
        foreach (var s in distinct)
        {
            var hold = s.Load.Stages.Where(st => st.Name.StartsWith("hold", StringComparison.Ordinal)).LastOrDefault();
            var p95 = s.Target == "sse" ? hold?.SourcesMs?.P95 : hold?.LatencyMs.P95;
            list.Add(AtMost($"{s.Name} p95 ≤ 100 ms ({users} users{(s.Target == "sse" ? ", to `sources`" : "")})", p95, 100));
        }
        list.Add(AtMost($"errors = 0 ({users} users, distinct)", distinct.Sum(s => s.Load.Errors), 0, ""));
        return list;
    }

    /// <summary>Issue 10 goals for one dataset (the retrieval goals are set for the real-text set; shown for both).</summary>
    public static IReadOnlyList<TargetCheck> Issue10(RetrievalResult? retrieval, AnswersResult? answers)
    {
        var list = new List<TargetCheck>();
        var hybrid = retrieval?.Modes.FirstOrDefault(m => m.Mode == "hybrid");
        list.Add(AtLeast("hybrid page recall@5 ≥ 0.94", hybrid?.Page.RecallAt5, 0.94));
        list.Add(AtLeast("hybrid page recall@10 ≥ 0.96", hybrid?.Page.RecallAt10, 0.96));
        list.Add(AtLeast("hybrid page MRR@10 ≥ 0.80", hybrid?.Page.MrrAt10, 0.80));
        var singles = retrieval?.Modes.Where(m => m.Mode is "vector" or "keyword").ToList();
        if (hybrid is not null && singles is { Count: 2 })
        {
            var best = singles.MaxBy(m => m.Page.MrrAt10)!;
            list.Add(new TargetCheck("hybrid above both single modes (recall@5 and MRR@10)",
                string.Join(", ", retrieval!.Modes.Where(m => m.Mode is "vector" or "keyword" or "hybrid").Select(m => $"{m.Mode} {F(m.Page.RecallAt5)}/{F(m.Page.MrrAt10)}")),
                singles.All(m => hybrid.Page.RecallAt5 > m.Page.RecallAt5 && hybrid.Page.MrrAt10 > m.Page.MrrAt10),
                $"MRR {(hybrid.Page.MrrAt10 >= best.Page.MrrAt10 ? "+" : "")}{F(hybrid.Page.MrrAt10 - best.Page.MrrAt10)} vs {best.Mode}"));
        }
        else list.Add(new TargetCheck("hybrid above both single modes (recall@5 and MRR@10)", "not measured", null, ""));
        var p = answers?.Policy?.GetValueOrDefault("all");
        list.Add(AtMost("covered questions given the not-covered answer ≤ 3 %", p?.CoveredNotCoveredRate * 100, 3, "%"));
        list.Add(AtLeast("uncovered questions given LOW or not-covered ≥ 0.85", p?.UncoveredLowOrNotCoveredRate, 0.85));
        list.Add(AtLeast("HIGH answers with the gold page among their sources ≥ 0.95", p?.HighGoldRate, 0.95));
        return list;
    }
}
