using System.Diagnostics.Metrics;

namespace TeacherPlatform.Edge.Infrastructure;

/// <summary>
/// The edge's Prometheus metrics (meter <c>TeacherPlatform.Edge</c>), plus plain counters the tests read. HTTP server
/// metrics (requests by route and status) come from the ASP.NET Core instrumentation.
/// </summary>
public sealed class EdgeMetrics : IDisposable
{
    public const string MeterName = "TeacherPlatform.Edge";
    private readonly Meter _meter;
    private readonly Histogram<double> _upstream;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _hits, _misses, _evictions, _bytesFromCache, _bytesFromOrigin, _originFetches;
    private long _originFetchCount, _hitCount, _missCount, _evictionCount;

    public EdgeMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>("edge.requests", description: "Requests handled by the edge, by kind (proxy, stream, edge)");
        _upstream = _meter.CreateHistogram<double>("edge.upstream.duration", "s", "Time until the API answered a proxied request (headers)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        Retries = _meter.CreateCounter<long>("edge.upstream.retries", description: "Idempotent requests retried on another instance after a connect failure");
        _hits = _meter.CreateCounter<long>("edge.cache.hits", description: "Project stream reads served from the edge cache");
        _misses = _meter.CreateCounter<long>("edge.cache.misses", description: "Project stream reads that needed an origin fetch");
        _evictions = _meter.CreateCounter<long>("edge.cache.evictions", description: "Cached files evicted to stay under the cap");
        _originFetches = _meter.CreateCounter<long>("edge.cache.origin_fetches", description: "Origin fetches that filled the cache");
        _bytesFromCache = _meter.CreateCounter<long>("edge.bytes.from_cache", "By", "Response bytes served from the edge cache");
        _bytesFromOrigin = _meter.CreateCounter<long>("edge.bytes.from_origin", "By", "Bytes fetched from origin (object store or API)");
    }

    public Counter<long> Retries { get; }
    public long OriginFetchCount => Interlocked.Read(ref _originFetchCount);
    public long HitCount => Interlocked.Read(ref _hitCount);
    public long MissCount => Interlocked.Read(ref _missCount);
    public long EvictionCount => Interlocked.Read(ref _evictionCount);

    /// <summary>Exposes the cache's current size as a gauge.</summary>
    public void ObserveCacheSize(Func<long> bytes) =>
        _meter.CreateObservableGauge("edge.cache.size", bytes, "By", "Bytes currently held by the edge cache");

    public void Request(string kind) => _requests.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void RecordUpstream(string? destination, int status, TimeSpan elapsed) =>
        _upstream.Record(elapsed.TotalSeconds, new("destination", destination ?? "none"), new("status", status));

    public void Hit() { Interlocked.Increment(ref _hitCount); _hits.Add(1); }
    public void Miss() { Interlocked.Increment(ref _missCount); _misses.Add(1); }
    public void Evicted() { Interlocked.Increment(ref _evictionCount); _evictions.Add(1); }
    public void OriginFetch(long bytes) { Interlocked.Increment(ref _originFetchCount); _originFetches.Add(1); _bytesFromOrigin.Add(bytes); }
    public void ServedFromCache(long bytes) => _bytesFromCache.Add(bytes);

    public void Dispose() => _meter.Dispose();
}
