using System.Diagnostics;
using HdrHistogram;
using TeacherPlatform.Evals.Metrics;

namespace TeacherPlatform.Evals.Load;

/// <summary>What one request observed: ok or not, plus optional extra timings (ms), e.g. SSE "sources" and "done".</summary>
public readonly record struct RequestOutcome(bool Ok, string? Error = null, double? SourcesMs = null, double? DoneMs = null);

public sealed record StageResult(string Name, int TargetUsers, double Seconds, long Requests, long Errors, double Throughput,
    LatencySummary LatencyMs, LatencySummary? SourcesMs, LatencySummary? DoneMs);

public sealed record LoadRunResult(string Profile, double Seconds, long Requests, long Errors, double ErrorRate, double Throughput,
    int PeakUsers, LatencySummary LatencyMs, LatencySummary? SourcesMs, LatencySummary? DoneMs, IReadOnlyList<StageResult> Stages,
    IReadOnlyDictionary<string, long> ErrorKinds, bool StoppedByBound);

/// <summary>
/// Closed-model virtual users following a <see cref="LoadProfile"/>: each user sends one request, waits for the whole
/// response, pauses for the think time, and repeats while its index is below the current target. Latencies go into
/// HdrHistograms (µs, 3 significant digits) per stage. Bounded by the profile's duration plus a grace period and by a
/// maximum request count.
/// </summary>
public sealed class LoadGenerator(LoadProfile profile, Func<int, long, CancellationToken, Task<RequestOutcome>> send,
    long maxRequests = 5_000_000, TimeSpan? requestTimeout = null)
{
    private sealed class StageStats
    {
        public readonly LongConcurrentHistogram Latency = new(1, Percentiles.HighestTrackableMicros, 3);
        public readonly LongConcurrentHistogram Sources = new(1, Percentiles.HighestTrackableMicros, 3);
        public readonly LongConcurrentHistogram Done = new(1, Percentiles.HighestTrackableMicros, 3);
        public long Requests, Errors;
    }

    public async Task<LoadRunResult> RunAsync(CancellationToken ct)
    {
        var stages = profile.Stages.Select(_ => new StageStats()).ToArray();
        var errorKinds = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        var users = new Dictionary<int, Task>();
        var current = 0;
        long total = 0;
        var peak = 0;
        var bounded = false;
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(profile.TotalDuration + TimeSpan.FromSeconds(30));
        var timeout = requestTimeout ?? TimeSpan.FromSeconds(30);

        async Task User(int index)
        {
            long iteration = 0;
            while (!stop.IsCancellationRequested && index < Volatile.Read(ref current))
            {
                var (_, stageIndex) = profile.At(clock.Elapsed);
                if (stageIndex < 0) break;
                if (Interlocked.Increment(ref total) > maxRequests) { bounded = true; break; }
                var s = stages[stageIndex];
                var start = Stopwatch.GetTimestamp();
                RequestOutcome outcome;
                using (var rt = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
                {
                    rt.CancelAfter(timeout);
                    try { outcome = await send(index, iteration++, rt.Token); }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested) { outcome = new RequestOutcome(false, "timeout"); }
                    catch (OperationCanceledException) { break; }
                    catch (Exception ex) { outcome = new RequestOutcome(false, ex.GetType().Name); }
                }
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                Interlocked.Increment(ref s.Requests);
                Percentiles.RecordMillis(s.Latency, ms);
                if (outcome.SourcesMs is { } sm) Percentiles.RecordMillis(s.Sources, sm);
                if (outcome.DoneMs is { } dm) Percentiles.RecordMillis(s.Done, dm);
                if (!outcome.Ok)
                {
                    Interlocked.Increment(ref s.Errors);
                    errorKinds.AddOrUpdate(outcome.Error ?? "error", 1, (_, n) => n + 1);
                }
                try { await Task.Delay(profile.ThinkTime, stop.Token); }
                catch (OperationCanceledException) { break; }
            }
        }

        while (!stop.IsCancellationRequested && !bounded)
        {
            var (target, stageIndex) = profile.At(clock.Elapsed);
            if (stageIndex < 0) break;
            Volatile.Write(ref current, target);
            peak = Math.Max(peak, target);
            for (var i = 0; i < target; i++)
            {
                var index = i;
                if (!users.TryGetValue(index, out var t) || t.IsCompleted) users[index] = Task.Run(() => User(index), CancellationToken.None);
            }
            try { await Task.Delay(50, stop.Token); } catch (OperationCanceledException) { break; }
        }
        Volatile.Write(ref current, 0);
        await Task.WhenAll(users.Values);
        var seconds = clock.Elapsed.TotalSeconds;

        var stageResults = profile.Stages.Select((st, i) =>
        {
            var s = stages[i];
            return new StageResult(st.Name, st.Target, st.Duration.TotalSeconds, s.Requests, s.Errors,
                Math.Round(s.Requests / Math.Max(0.001, st.Duration.TotalSeconds), 2), Percentiles.Summarize(s.Latency),
                s.Sources.TotalCount > 0 ? Percentiles.Summarize(s.Sources) : null, s.Done.TotalCount > 0 ? Percentiles.Summarize(s.Done) : null);
        }).ToList();
        HistogramBase Merge(Func<StageStats, HistogramBase> pick)
        {
            var all = new LongHistogram(Percentiles.HighestTrackableMicros, 3);
            foreach (var s in stages) all.Add(pick(s));
            return all;
        }
        var requests = stages.Sum(s => s.Requests);
        var errors = stages.Sum(s => s.Errors);
        var sources = Merge(s => s.Sources);
        var done = Merge(s => s.Done);
        return new LoadRunResult(profile.Name, Math.Round(seconds, 2), requests, errors, requests == 0 ? 0 : Math.Round((double)errors / requests, 5),
            Math.Round(requests / Math.Max(0.001, seconds), 2), peak, Percentiles.Summarize(Merge(s => s.Latency)),
            sources.TotalCount > 0 ? Percentiles.Summarize(sources) : null, done.TotalCount > 0 ? Percentiles.Summarize(done) : null,
            stageResults, errorKinds.ToDictionary(k => k.Key, k => k.Value), bounded);
    }
}
