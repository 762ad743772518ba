using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TeacherPlatform.Core.Telemetry;

/// <summary>
/// The service's own traces and metrics. Instrument names follow SPEC §4; the Prometheus exporter appends the
/// unit, so "rag_query_duration" with unit "s" is scraped as rag_query_duration_seconds.
/// </summary>
public sealed class AppTelemetry : IDisposable
{
    public const string Name = "TeacherPlatform";
    public static readonly ActivitySource Source = new(Name);

    private readonly Meter _meter;

    public AppTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        RagQueryDuration = _meter.CreateHistogram<double>("rag_query_duration", "s", "End-to-end assistant query time (to the last token)");
        VectorSearchDuration = _meter.CreateHistogram<double>("vector_search_duration", "s", "Vector (ANN) search time");
        KeywordSearchDuration = _meter.CreateHistogram<double>("keyword_search_duration", "s", "Full-text search time");
        LlmTimeToFirstToken = _meter.CreateHistogram<double>("llm_ttft", "s", "Time to the first token from the LLM");
        CacheHits = _meter.CreateCounter<long>("cache_hits", description: "Cache hits by layer (embedding, search, answer)");
        CacheMisses = _meter.CreateCounter<long>("cache_misses", description: "Cache misses by layer (embedding, search, answer)");
        IngestionJobs = _meter.CreateCounter<long>("ingestion_jobs", description: "Ingestion jobs finished, by outcome");
        IngestedChunks = _meter.CreateCounter<long>("ingested_chunks", description: "Chunks written to the index");
    }

    public Histogram<double> RagQueryDuration { get; }
    public Histogram<double> VectorSearchDuration { get; }
    public Histogram<double> KeywordSearchDuration { get; }
    public Histogram<double> LlmTimeToFirstToken { get; }
    public Counter<long> CacheHits { get; }
    public Counter<long> CacheMisses { get; }
    public Counter<long> IngestionJobs { get; }
    public Counter<long> IngestedChunks { get; }

    public void Dispose() => _meter.Dispose();
}
