using HdrHistogram;

namespace TeacherPlatform.Evals.Metrics;

/// <summary>Latency summary in milliseconds.</summary>
public sealed record LatencySummary(long Count, double Mean, double P50, double P95, double P99, double Max);

/// <summary>
/// Percentiles. <see cref="NearestRank"/> is the exact definition (smallest value with at least p% of samples at or
/// below it) used to check the HdrHistogram figures; the load generator records into HdrHistogram (microseconds,
/// 3 significant digits), whose ValueAtPercentile reports the highest value equivalent to the nearest-rank sample.
/// </summary>
public static class Percentiles
{
    public const long HighestTrackableMicros = 120_000_000; // 2 minutes

    public static double NearestRank(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0) return 0;
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public static LongHistogram NewHistogram() => new(HighestTrackableMicros, 3);

    public static void RecordMillis(HistogramBase histogram, double milliseconds) =>
        histogram.RecordValue(Math.Clamp((long)Math.Round(milliseconds * 1000), 1, HighestTrackableMicros));

    public static LatencySummary Summarize(HistogramBase h)
    {
        var n = h.TotalCount;
        if (n == 0) return new LatencySummary(0, 0, 0, 0, 0, 0);
        static double Ms(long micros) => Math.Round(micros / 1000.0, 3);
        return new LatencySummary(n, Math.Round(h.GetMean() / 1000.0, 3),
            Ms(h.GetValueAtPercentile(50)), Ms(h.GetValueAtPercentile(95)), Ms(h.GetValueAtPercentile(99)), Ms(h.GetMaxValue()));
    }

    public static LatencySummary Summarize(IReadOnlyList<double> millis) => millis.Count == 0
        ? new LatencySummary(0, 0, 0, 0, 0, 0)
        : new LatencySummary(millis.Count, Math.Round(millis.Average(), 3), Math.Round(NearestRank(millis, 50), 3),
            Math.Round(NearestRank(millis, 95), 3), Math.Round(NearestRank(millis, 99), 3), Math.Round(millis.Max(), 3));
}
