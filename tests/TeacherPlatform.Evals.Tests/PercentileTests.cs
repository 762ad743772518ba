using HdrHistogram;
using TeacherPlatform.Evals.Load;
using TeacherPlatform.Evals.Metrics;

namespace TeacherPlatform.Evals.Tests;

public class PercentileTests
{
    [Fact]
    public void Nearest_rank_matches_hand_computation()
    {
        double[] v = [15, 20, 35, 40, 50];
        // rank = ceil(p/100 * n): p30 → ceil(1.5) = 2 → 20; p40 → 2 → 20; p50 → ceil(2.5) = 3 → 35; p100 → 50
        Assert.Equal(20, Percentiles.NearestRank(v, 30));
        Assert.Equal(20, Percentiles.NearestRank(v, 40));
        Assert.Equal(35, Percentiles.NearestRank(v, 50));
        Assert.Equal(50, Percentiles.NearestRank(v, 100));
        Assert.Equal(15, Percentiles.NearestRank(v, 0));
        // 1..100: p95 = 95, p99 = 99
        var hundred = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        Assert.Equal(95, Percentiles.NearestRank(hundred, 95));
        Assert.Equal(99, Percentiles.NearestRank(hundred, 99));
    }

    [Fact]
    public void HdrHistogram_percentiles_agree_with_nearest_rank_within_its_precision()
    {
        var rng = new Random(3);
        var ms = Enumerable.Range(0, 10_000).Select(_ => Math.Round(rng.NextDouble() * rng.NextDouble() * 200, 3)).ToArray();
        var h = Percentiles.NewHistogram();
        foreach (var x in ms) Percentiles.RecordMillis(h, x);
        var summary = Percentiles.Summarize(h);
        foreach (var (p, got) in new[] { (50.0, summary.P50), (95.0, summary.P95), (99.0, summary.P99), (100.0, summary.Max) })
        {
            var exact = Percentiles.NearestRank(ms, p);
            // 3 significant digits: relative error ≤ 0.1% (plus the 1 µs recording resolution).
            Assert.InRange(got, exact * 0.999 - 0.002, exact * 1.001 + 0.002);
        }
        Assert.Equal(10_000, summary.Count);
    }

    [Fact]
    public void Summary_of_known_values()
    {
        // 1..100 ms: HdrHistogram at 3 digits stores these exactly (values ≤ 2048 µs·1000 within precision)
        var h = Percentiles.NewHistogram();
        for (var i = 1; i <= 100; i++) Percentiles.RecordMillis(h, i);
        var s = Percentiles.Summarize(h);
        Assert.Equal(50.5, s.Mean, 0.1);
        Assert.InRange(s.P50, 49.95, 50.05);
        Assert.InRange(s.P95, 94.9, 95.1);
        Assert.InRange(s.P99, 98.9, 99.1);
        Assert.InRange(s.Max, 99.9, 100.1);
    }

    [Fact]
    public void Load_profile_interpolates_users_like_k6_stages()
    {
        var p = LoadProfile.Named("full");
        Assert.Equal(TimeSpan.FromMinutes(17), p.TotalDuration);
        Assert.Equal(200, p.MaxUsers);
        Assert.Equal((0, 0), p.At(TimeSpan.Zero));
        Assert.Equal((25, 0), p.At(TimeSpan.FromMinutes(1)));       // halfway up the 2-minute ramp to 50
        Assert.Equal((50, 1), p.At(TimeSpan.FromMinutes(4)));       // hold 50
        Assert.Equal((75, 2), p.At(TimeSpan.FromMinutes(8)));       // halfway from 50 to 100
        Assert.Equal((150, 4), p.At(TimeSpan.FromMinutes(12.5)));   // halfway from 100 to 200
        Assert.Equal((0, -1), p.At(TimeSpan.FromMinutes(18)));
        Assert.Equal(5, LoadProfile.Named("smoke").MaxUsers);
    }

    [Fact]
    public void Prometheus_text_sums_by_name_and_label()
    {
        var m = new PrometheusText("""
            # TYPE cache_hits_total counter
            cache_hits_total{layer="search",otel_scope_name="TeacherPlatform"} 7 1700000000000
            cache_hits_total{layer="embedding"} 3
            cache_misses_total{layer="search"} 1
            process_cpu_time_seconds_total{cpu_mode="user"} 1.5
            process_cpu_time_seconds_total{cpu_mode="system"} 0.5
            """);
        Assert.Equal(10, m.Sum("cache_hits_total"));
        Assert.Equal(7, m.SumBy("cache_hits_total", "layer")["search"]);
        Assert.Equal(2.0, m.First("nope", "process_cpu_time_seconds_total"));
        Assert.Null(m.First("nope"));
    }
}
