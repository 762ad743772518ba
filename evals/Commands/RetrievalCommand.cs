using System.Diagnostics;
using TeacherPlatform.Evals.Client;
using TeacherPlatform.Evals.Datasets;
using TeacherPlatform.Evals.Metrics;

namespace TeacherPlatform.Evals.Commands;

public sealed record LevelMetrics(double RecallAt1, double RecallAt5, double RecallAt10, double MrrAt10, double NdcgAt10);

public sealed record RetrievalMiss(string Id, string Kind, string Question, IReadOnlyList<string> Expected, IReadOnlyList<string> Top5,
    double PageRecallAt10, double? PageRecallAt5);

public sealed record ModeResult(string Mode, int Questions, LevelMetrics Page, LevelMetrics Document,
    IReadOnlyDictionary<string, LevelMetrics> PageByKind, LatencySummary LatencyMs, int Errors, IReadOnlyList<RetrievalMiss> Misses);

public sealed record RetrievalResult(int TopK, double TranscriptToleranceSeconds, bool ScopedToDataset, IReadOnlyList<ModeResult> Modes,
    IReadOnlyList<string> SkippedModes);

/// <summary>`retrieval`: ranking quality of /api/search per mode, at page and document level, with per-question misses
/// (page-level recall@5 below 1; runs before 2026-12-03 listed recall@10 misses only and have no recall@5 figure).</summary>
public static class RetrievalCommand
{
    public static readonly string[] DefaultModes = ["vector", "keyword", "hybrid"];

    public static async Task<RetrievalResult> RunAsync(CommandEnv env, CommandArgs args, CancellationToken ct)
    {
        var dataset = Dataset.Load(args.Get("dataset", "evals/datasets/pedagogy"));
        var map = DocumentMap.TryLoad(args.Get("docmap") ?? DocumentMap.DefaultPath(env.ResultsDirectory, dataset.Name))
            ?? throw new InvalidOperationException("No document map: run `load` first (or pass --docmap).");
        var judge = new RelevanceJudge(args.Double("transcript-tolerance", 90));
        var topK = args.Int("top-k", 10);
        var scoped = args.Flag("scope");
        var limit = args.Int("max-questions", int.MaxValue);
        var client = await Accounts.StudentAsync(env, args, 0, ct);
        var questions = dataset.Questions.Where(q => !q.IsUncovered).Take(limit).ToList();
        var docIds = scoped ? map.CompletedServerIds : null;
        var notes = new List<string>();
        var modes = new List<ModeResult>();
        var skipped = new List<string>();

        var modeNames = args.List("modes", DefaultModes).ToList();
        var rerank = args.Get("rerank-mode", "hybrid_rerank");
        if (!args.Flag("no-rerank") && !modeNames.Contains(rerank))
        {
            try
            {
                await client.SearchAsync(new SearchRequest("finger independence", 1, rerank, docIds), ct);
                modeNames.Add(rerank);
            }
            catch (ApiException ex)
            {
                skipped.Add(rerank);
                notes.Add($"hybrid + rerank skipped: the server has no reranking mode (mode '{rerank}' answered HTTP {ex.Status}).");
            }
        }

        foreach (var mode in modeNames)
        {
            env.Out.WriteLine($"retrieval: mode {mode}, {questions.Count} questions");
            var page = new List<double[]>();
            var doc = new List<double[]>();
            var byKind = new Dictionary<string, List<double[]>>();
            var latencies = new List<double>();
            var misses = new List<RetrievalMiss>();
            var errors = 0;
            foreach (var q in questions)
            {
                IReadOnlyList<SearchResult> results;
                var sw = Stopwatch.StartNew();
                try { results = (await client.SearchAsync(new SearchRequest(q.Text, topK, mode, docIds), ct)).Results; }
                catch (ApiException ex)
                {
                    errors++;
                    if (errors <= 3) notes.Add($"{mode} {q.Id}: {ex.Message}");
                    results = [];
                }
                latencies.Add(sw.Elapsed.TotalMilliseconds);
                var ranked = results.Select(r => new RetrievedLocation(map.ManifestId(r.DocumentId), r.PageNumber, r.PageEnd, r.StartSeconds)).ToList();
                var p = Score(judge.PageGroups(q, ranked), judge.PageGroupCount(q));
                var d = Score(judge.DocumentGroups(q, ranked), judge.DocumentGroupCount(q));
                page.Add(p);
                doc.Add(d);
                (byKind.TryGetValue(q.Kind, out var l) ? l : byKind[q.Kind] = []).Add(p);
                if (p[1] < 1) misses.Add(new RetrievalMiss(q.Id, q.Kind, q.Text, Expected(q), ranked.Take(5).Select(Describe).ToList(), p[2], p[1]));
            }
            modes.Add(new ModeResult(mode, questions.Count, Mean(page), Mean(doc), byKind.ToDictionary(k => k.Key, k => Mean(k.Value)),
                Percentiles.Summarize(latencies), errors, misses));
        }

        notes.Add(scoped ? "Searches were scoped to the dataset's documents (document_ids, --scope)." : "Searches cover every document the student may see (pass --scope to restrict to the dataset's document_ids; use a fresh instance so no other documents compete).");
        notes.Add($"Page level: same document and page_number ≤ page ≤ page_end (PDF/HTML); transcripts: |start_seconds − relevant| ≤ {judge.TranscriptToleranceSeconds} s.");
        notes.Add("Recall: multi_page questions need every cited location (fraction found); other questions' locations are alternatives (any one = 1).");
        var result = new RetrievalResult(topK, judge.TranscriptToleranceSeconds, scoped, modes, skipped);
        env.Save("retrieval", args, dataset.Describe(), result, notes);
        return result;
    }

    internal static double[] Score(int[] groups, int count) =>
    [
        RankingMetrics.RecallAtK(groups, count, 1), RankingMetrics.RecallAtK(groups, count, 5), RankingMetrics.RecallAtK(groups, count, 10),
        RankingMetrics.ReciprocalRankAtK(groups, 10), RankingMetrics.BinaryNdcgAtK(groups, count, 10),
    ];

    internal static LevelMetrics Mean(List<double[]> rows)
    {
        if (rows.Count == 0) return new LevelMetrics(0, 0, 0, 0, 0);
        double Avg(int i) => Math.Round(rows.Average(r => r[i]), 4);
        return new LevelMetrics(Avg(0), Avg(1), Avg(2), Avg(3), Avg(4));
    }

    internal static IReadOnlyList<string> Expected(Question q) => q.Relevant.SelectMany(r =>
        (r.Pages ?? []).Select(p => $"{r.Doc} p{p}").Concat((r.StartSeconds ?? []).Select(s => $"{r.Doc} @{s:0.#}s"))).ToList();

    internal static string Describe(RetrievedLocation l) =>
        l.StartSeconds is { } s ? $"{l.ManifestDoc ?? "?"} @{s:0.#}s" : l.PageEnd > l.PageNumber ? $"{l.ManifestDoc ?? "?"} p{l.PageNumber}-{l.PageEnd}" : $"{l.ManifestDoc ?? "?"} p{l.PageNumber}";
}
