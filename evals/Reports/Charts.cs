using ScottPlot;
using TeacherPlatform.Evals.Load;
using TeacherPlatform.Evals.Commands;

namespace TeacherPlatform.Evals.Reports;

/// <summary>PNG charts with ScottPlot 5; each returns the file name written under the charts folder.</summary>
public static class Charts
{
    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    public static string AnnRecall(string dir, string stem, AnnResult ann)
    {
        var plt = new Plot();
        var i = 0;
        foreach (var s in ann.Sweeps)
        {
            var sc = plt.Add.Scatter(s.Points.Select(p => (double)p.EfSearch).ToArray(), s.Points.Select(p => p.RecallAt10).ToArray());
            sc.LegendText = $"{s.Engine}: {s.Corpus} (n={s.Vectors})";
            sc.Color = Palette.GetColor(i++);
            sc.LineWidth = 2;
            sc.MarkerSize = 6;
        }
        var target = plt.Add.HorizontalLine(0.99);
        target.LinePattern = LinePattern.Dashed;
        target.LegendText = "target 0.99";
        plt.Title("ANN recall@10 vs ef_search");
        plt.XLabel("ef_search");
        plt.YLabel("recall@10");
        plt.ShowLegend(Alignment.LowerRight);
        return Save(plt, dir, $"{stem}-recall-vs-ef.png");
    }

    public static string AnnLatency(string dir, string stem, AnnResult ann)
    {
        var plt = new Plot();
        var i = 0;
        foreach (var s in ann.Sweeps)
        {
            var sc = plt.Add.Scatter(s.Points.Select(p => p.LatencyMs.P95).ToArray(), s.Points.Select(p => p.RecallAt10).ToArray());
            sc.LegendText = $"{s.Engine}: {s.Corpus}";
            sc.Color = Palette.GetColor(i++);
            sc.LineWidth = 2;
        }
        plt.Title("ANN recall@10 vs p95 latency (points = ef_search settings)");
        plt.XLabel("p95 latency (ms)");
        plt.YLabel("recall@10");
        plt.ShowLegend(Alignment.LowerRight);
        return Save(plt, dir, $"{stem}-recall-vs-latency.png");
    }

    public static string RetrievalBars(string dir, string stem, RetrievalResult r)
    {
        var plt = new Plot();
        string[] metrics = ["recall@1", "recall@5", "recall@10", "MRR@10", "nDCG@10"];
        var modes = r.Modes.Count;
        var width = 0.8 / Math.Max(1, modes);
        for (var m = 0; m < modes; m++)
        {
            var p = r.Modes[m].Page;
            double[] values = [p.RecallAt1, p.RecallAt5, p.RecallAt10, p.MrrAt10, p.NdcgAt10];
            var bars = values.Select((v, j) => new Bar
            {
                Position = j + (m - (modes - 1) / 2.0) * width, Value = v, FillColor = Palette.GetColor(m), Size = width * 0.95,
            }).ToList();
            plt.Add.Bars(bars);
            plt.Legend.ManualItems.Add(new LegendItem { LabelText = r.Modes[m].Mode, FillColor = Palette.GetColor(m) });
        }
        plt.Axes.Bottom.SetTicks(Enumerable.Range(0, metrics.Length).Select(x => (double)x).ToArray(), metrics);
        plt.Axes.SetLimitsY(0, 1.05);
        plt.Title("Retrieval quality by mode (page level)");
        plt.ShowLegend(Alignment.UpperRight);
        return Save(plt, dir, $"{stem}-retrieval-modes.png");
    }

    public static string LoadStages(string dir, string stem, ScenarioResult s)
    {
        var plt = new Plot();
        var stages = s.Load.Stages;
        var xs = Enumerable.Range(0, stages.Count).Select(x => (double)x).ToArray();
        (string Name, Func<StageResult, double> Pick)[] series =
        [
            ("p50", st => st.LatencyMs.P50), ("p95", st => st.LatencyMs.P95), ("p99", st => st.LatencyMs.P99),
        ];
        var i = 0;
        foreach (var (name, pick) in series)
        {
            var sc = plt.Add.Scatter(xs, stages.Select(pick).ToArray());
            sc.LegendText = name;
            sc.Color = Palette.GetColor(i++);
            sc.LineWidth = 2;
        }
        if (stages.Any(st => st.SourcesMs is not null))
        {
            var sc = plt.Add.Scatter(xs, stages.Select(st => st.SourcesMs?.P95 ?? 0).ToArray());
            sc.LegendText = "p95 to `sources`";
            sc.Color = Palette.GetColor(i);
            sc.LinePattern = LinePattern.Dashed;
        }
        plt.Axes.Bottom.SetTicks(xs, stages.Select(st => st.Name).ToArray());
        plt.Title($"Latency by load stage: {s.Name}");
        plt.YLabel("ms");
        plt.ShowLegend(Alignment.UpperLeft);
        return Save(plt, dir, $"{stem}-{s.Name}-stages.png");
    }

    private static string Save(Plot plt, string dir, string file)
    {
        Directory.CreateDirectory(dir);
        plt.SavePng(Path.Combine(dir, file), 900, 500);
        return file;
    }
}
