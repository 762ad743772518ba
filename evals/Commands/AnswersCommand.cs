using TeacherPlatform.Ai.Plugins;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Evals.Client;
using TeacherPlatform.Evals.Datasets;
using TeacherPlatform.Evals.Metrics;

namespace TeacherPlatform.Evals.Commands;

public sealed record AnswerRow(string Id, string Kind, string Confidence, IReadOnlyList<int> Cited, int Sources,
    double? CitationPrecision, double? CitationRecall, bool? CitesRelevantPage, double? TokenF1, double? TokenRecall,
    JudgeScore? Judge, double LatencyMs, string? Error, EvidenceFeatures? Evidence = null, bool? GoldInSources = null,
    int? AnswerWords = null);

/// <summary>
/// The retrieval evidence the confidence scorer sees, re-measured through /api/search (vector top-k similarities,
/// hybrid top-k ranks) so thresholds can be calibrated offline (`calibrate`); <see cref="GoldInTopK"/>: a relevant
/// page is among the hybrid top-k, i.e. among the answer's sources.
/// </summary>
public sealed record EvidenceFeatures(double TopSimilarity, double Margin, int Agreement, bool? GoldInTopK, bool KeywordMatched = true,
    double? Coverage = null, double? Missing = null, IReadOnlyList<TermEvidence>? Terms = null, double? PhraseCoverage = null,
    IReadOnlyList<PairEvidence>? Pairs = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public EvidenceFigures Figures => new(TopSimilarity, Margin, Agreement, KeywordMatched, Coverage, Missing, Terms?.Count ?? 0, PhraseCoverage);
}

/// <summary>The X-Confidence-Evidence header: the figures the server's scorer decided on.</summary>
public sealed record ServerEvidence(EvidenceFigures? Figures, TopicEvidence? Topic, bool HasEvidence);

/// <summary>
/// The refusal policy's outcome per question group: not-covered (no sources), LOW with sources, MEDIUM, HIGH.
/// Goals (issue 10): covered → not-covered ≤ 3 %, uncovered → LOW or not-covered ≥ 85 %, HIGH with the gold page among
/// its sources ≥ 95 %.
/// </summary>
public sealed record PolicySummary(int Covered, int CoveredNotCovered, int CoveredLow, int CoveredMedium, int CoveredHigh,
    int Uncovered, int UncoveredNotCovered, int UncoveredLow, int UncoveredMedium, int UncoveredHigh, int HighWithGold,
    double CoveredNotCoveredRate, double UncoveredLowOrNotCoveredRate, double HighGoldRate)
{
    public static PolicySummary From(IEnumerable<(bool Uncovered, string Outcome, bool? Gold)> rows)
    {
        var l = rows.ToList();
        int C(bool u, string o) => l.Count(r => r.Uncovered == u && r.Outcome == o);
        var cov = l.Count(r => !r.Uncovered);
        var unc = l.Count(r => r.Uncovered);
        var high = l.Count(r => !r.Uncovered && r.Outcome == "HIGH");
        var highGold = l.Count(r => !r.Uncovered && r.Outcome == "HIGH" && r.Gold == true);
        return new PolicySummary(cov, C(false, "NONE"), C(false, "LOW"), C(false, "MEDIUM"), C(false, "HIGH"),
            unc, C(true, "NONE"), C(true, "LOW"), C(true, "MEDIUM"), C(true, "HIGH"), highGold,
            cov == 0 ? 0 : Math.Round((double)C(false, "NONE") / cov, 4),
            unc == 0 ? 0 : Math.Round((double)(C(true, "NONE") + C(true, "LOW")) / unc, 4),
            high == 0 ? 1 : Math.Round((double)highGold / high, 4));
    }

    /// <summary>NONE = the not-covered answer (no sources); otherwise the confidence level.</summary>
    public static string Outcome(string confidence, int sources) => sources == 0 ? "NONE" : confidence;

    /// <summary>Calibration half: questions with an odd number in their id; held-out half: even.</summary>
    public static bool IsCalibrationHalf(string id) =>
        int.TryParse(new string(id.Where(char.IsDigit).ToArray()), out var n) && n % 2 == 1;
}

public sealed record ConfidenceSummary(ConfusionMatrix LowVsUncovered, double Accuracy, double LowPrecision, double LowRecall, bool Exact,
    IReadOnlyDictionary<string, int> Distribution);

public sealed record AnswersResult(int Questions, int Covered, int Uncovered, double CitationPrecision, double CitationRecall,
    double CitesRelevantPageRate, double TokenF1, double TokenRecall, ConfidenceSummary Confidence, string Judge,
    double? JudgeFactualOverlap, double? JudgeFaithfulness, LatencySummary LatencyMs, int Errors, IReadOnlyList<AnswerRow> Rows,
    IReadOnlyDictionary<string, PolicySummary>? Policy = null, double? MeanAnswerWords = null);

/// <summary>
/// `answers`: per question, whether the answer cites a relevant page (citation precision/recall at page level),
/// whether LOW confidence was given exactly for the uncovered questions, token F1 against the reference answer, and an
/// LLM-judge score when a judge endpoint is configured.
/// </summary>
public static class AnswersCommand
{
    public static async Task<AnswersResult> RunAsync(CommandEnv env, CommandArgs args, CancellationToken ct)
    {
        var dataset = Dataset.Load(args.Get("dataset", "evals/datasets/pedagogy"));
        var map = DocumentMap.TryLoad(args.Get("docmap") ?? DocumentMap.DefaultPath(env.ResultsDirectory, dataset.Name))
            ?? throw new InvalidOperationException("No document map: run `load` first (or pass --docmap).");
        var judgeRel = new RelevanceJudge(args.Double("transcript-tolerance", 90));
        var client = await Accounts.StudentAsync(env, args, 0, ct);
        var scoped = args.Flag("scope");
        var docIds = scoped ? map.CompletedServerIds : null;
        var topK = args.Has("top-k") ? args.Int("top-k", 8) : (int?)null;
        var notes = new List<string>();

        LlmJudge? judge = null;
        var judgeState = "not configured";
        if (args.Get("judge-url") is { } judgeUrl && args.Get("judge-model") is { } judgeModel)
        {
            var baseUri = new Uri(judgeUrl.TrimEnd('/') + "/");
            judge = new LlmJudge(new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) }, judgeModel,
                Environment.GetEnvironmentVariable("EVALS_JUDGE_API_KEY"));
            judgeState = $"{judgeModel} at {baseUri}";
        }
        else notes.Add("LLM judge: not configured (pass --judge-url http://host/v1 --judge-model NAME; key from EVALS_JUDGE_API_KEY).");

        var rows = new List<AnswerRow>();
        foreach (var q in dataset.Questions.Take(args.Int("max-questions", int.MaxValue)))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            ChatResponse answer;
            try { answer = await client.ChatAsync(new ChatRequest(q.Text, null, docIds, topK), ct); }
            catch (ApiException ex)
            {
                rows.Add(new AnswerRow(q.Id, q.Kind, "ERROR", [], 0, null, null, null, null, null, null, sw.Elapsed.TotalMilliseconds, ex.Message));
                continue;
            }
            var latency = sw.Elapsed.TotalMilliseconds;
            var evidence = await EvidenceAsync(client, judgeRel, map, q, docIds, topK ?? 6, ct);
            // The server's own figures, when it exposes them: exactly what its scorer saw (after de-duplication).
            if (evidence is not null && answer.Evidence is { } header
                && System.Text.Json.JsonSerializer.Deserialize<ServerEvidence>(header, Json.Options) is { Figures: { } f } server)
                evidence = evidence with
                {
                    TopSimilarity = f.TopSimilarity, Margin = f.Margin, Agreement = f.Agreement, KeywordMatched = f.KeywordMatched,
                    Coverage = f.Coverage, Missing = f.Missing, Terms = server.Topic?.Detail,
                    PhraseCoverage = f.PhraseCoverage, Pairs = server.Topic?.Pairs,
                };
            var cited = Citations.Parse(answer.Content);
            var citedSources = answer.Sources.Where(s => cited.Contains(s.Index)).ToList();
            var locs = citedSources.Select(s => new RetrievedLocation(map.ManifestId(s.DocumentId), s.PageNumber, s.PageEnd, s.StartSeconds)).ToList();
            double? precision = null, recall = null, f1 = null, tokRecall = null;
            bool? citesRelevant = null;
            JudgeScore? judged = null;
            if (!q.IsUncovered)
            {
                var groups = judgeRel.PageGroups(q, locs);
                precision = locs.Count == 0 ? null : (double)groups.Count(g => g >= 0) / locs.Count;
                recall = RankingMetrics.RecallAtK(groups, judgeRel.PageGroupCount(q), Math.Max(1, groups.Length));
                if (groups.Length == 0) recall = 0;
                citesRelevant = groups.Any(g => g >= 0);
                var score = TokenF1.Compute(Citations.Strip(answer.Content), q.Answer);
                f1 = score.F1;
                tokRecall = score.Recall;
                if (judge is not null)
                    judged = await judge.ScoreAsync(q.Text, q.Answer, answer.Content, citedSources.Select(s => s.Snippet ?? ""), ct);
            }
            bool? goldInSources = q.IsUncovered ? null : judgeRel.PageGroups(q, answer.Sources
                .Select(s => new RetrievedLocation(map.ManifestId(s.DocumentId), s.PageNumber, s.PageEnd, s.StartSeconds)).ToList()).Any(g => g >= 0);
            rows.Add(new AnswerRow(q.Id, q.Kind, answer.Confidence, cited.ToList(), answer.Sources.Count, Round(precision), Round(recall),
                citesRelevant, Round(f1), Round(tokRecall), judged, Math.Round(latency, 2), null, evidence, goldInSources,
                Citations.Strip(answer.Content).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length));
        }

        var ok = rows.Where(r => r.Error is null).ToList();
        var covered = ok.Where(r => !dataset.Questions.First(q => q.Id == r.Id).IsUncovered).ToList();
        var matrix = ConfusionMatrix.From(ok.Select(r => (r.Confidence == "LOW", dataset.Questions.First(q => q.Id == r.Id).IsUncovered)));
        var judgedRows = covered.Where(r => r.Judge is not null).ToList();
        var result = new AnswersResult(
            rows.Count, covered.Count, ok.Count - covered.Count,
            Avg(covered.Where(r => r.CitationPrecision is not null).Select(r => r.CitationPrecision!.Value)),
            Avg(covered.Select(r => r.CitationRecall ?? 0)),
            Avg(covered.Select(r => r.CitesRelevantPage == true ? 1.0 : 0.0)),
            Avg(covered.Select(r => r.TokenF1 ?? 0)),
            Avg(covered.Select(r => r.TokenRecall ?? 0)),
            new ConfidenceSummary(matrix, Math.Round(matrix.Accuracy, 4), Math.Round(matrix.Precision, 4), Math.Round(matrix.Recall, 4), matrix.Exact,
                ok.GroupBy(r => r.Confidence).ToDictionary(g => g.Key, g => g.Count())),
            judgeState,
            judgedRows.Count > 0 ? Avg(judgedRows.Select(r => r.Judge!.FactualOverlap)) : null,
            judgedRows.Count > 0 ? Avg(judgedRows.Select(r => r.Judge!.Faithfulness)) : null,
            Percentiles.Summarize(ok.Select(r => r.LatencyMs).ToList()),
            rows.Count - ok.Count, rows, Policy(ok, dataset),
            covered.Count == 0 ? null : Math.Round(covered.Average(r => r.AnswerWords ?? 0), 1));
        notes.Add("Citations are the [n] markers in the answer mapped to its sources; precision = cited sources on a relevant page / cited sources; recall = relevant locations covered by cited sources (alternatives count once).");
        notes.Add("Token F1: SQuAD normalisation (lower-case, no punctuation or articles), answer without [n] markers vs the reference answer; extractive answers are long, so precision (and F1) is low by construction — token recall shows coverage.");
        env.Save("answers", args, dataset.Describe(), result, notes);
        return result;
    }

    /// <summary>Refusal-policy outcomes for all questions and for the calibration / held-out halves.</summary>
    public static IReadOnlyDictionary<string, PolicySummary> Policy(IReadOnlyList<AnswerRow> rows, Dataset dataset)
    {
        (bool, string, bool?) Row(AnswerRow r) => (dataset.Questions.First(q => q.Id == r.Id).IsUncovered, PolicySummary.Outcome(r.Confidence, r.Sources), r.GoldInSources);
        return new Dictionary<string, PolicySummary>
        {
            ["all"] = PolicySummary.From(rows.Select(Row)),
            ["calibration_half"] = PolicySummary.From(rows.Where(r => PolicySummary.IsCalibrationHalf(r.Id)).Select(Row)),
            ["held_out_half"] = PolicySummary.From(rows.Where(r => !PolicySummary.IsCalibrationHalf(r.Id)).Select(Row)),
        };
    }

    /// <summary>What the confidence scorer sees, measured through /api/search (vector similarities, hybrid ranks).</summary>
    private static async Task<EvidenceFeatures?> EvidenceAsync(TeacherPlatformClient client, RelevanceJudge judge, DocumentMap map, Question q,
        IReadOnlyList<Guid>? docIds, int topK, CancellationToken ct)
    {
        try
        {
            var vector = await client.SearchAsync(new SearchRequest(q.Text, topK, "vector", docIds), ct);
            var hybrid = await client.SearchAsync(new SearchRequest(q.Text, topK, "hybrid", docIds), ct);
            var sims = vector.Results.Select(r => r.Score).OrderDescending().ToList();
            var top = sims.Count > 0 ? sims[0] : 0;
            var rest = sims.Skip(1).Take(4).ToList();
            var margin = rest.Count > 0 ? top - rest.Average() : top;
            var agreement = hybrid.Results.Count(r => r.VectorRank is <= 3 && r.KeywordRank is <= 3);
            bool? gold = q.IsUncovered ? null : judge.PageGroups(q, hybrid.Results
                .Select(r => new RetrievedLocation(map.ManifestId(r.DocumentId), r.PageNumber, r.PageEnd, r.StartSeconds)).ToList()).Any(g => g >= 0);
            return new EvidenceFeatures(Math.Round(top, 5), Math.Round(margin, 5), agreement, gold, hybrid.Results.Any(r => r.KeywordRank is not null));
        }
        catch (ApiException) { return null; }
    }

    private static double? Round(double? v) => v is null ? null : Math.Round(v.Value, 4);
    private static double Avg(IEnumerable<double> xs) { var l = xs.ToList(); return l.Count == 0 ? 0 : Math.Round(l.Average(), 4); }
}
