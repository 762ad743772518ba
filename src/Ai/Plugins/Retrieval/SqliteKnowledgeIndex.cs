using System.Diagnostics;
using System.Runtime.InteropServices;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.VectorIndex;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// Embedded mode: chunk rows and float32 vectors in SQLite, keywords in FTS5 (bm25), vectors searched in process
/// (exact SIMD scan while small, HNSW above <see cref="SearchOptions.ExactSearchThreshold"/>). The in-memory index is
/// rebuilt from SQLite at start-up and kept in step on every write; a write by another process (a worker-only
/// instance) is noticed through index_meta.chunks_version and triggers a reload.
/// </summary>
public sealed class SqliteKnowledgeIndex(Db db, IOptions<SearchOptions> options, AppTelemetry telemetry, TimeProvider clock,
    ILogger<SqliteKnowledgeIndex> logger) : IKnowledgeIndex, IDisposable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _mapLock = new();
    private InProcessVectorIndex? _index;
    private Dictionary<int, Guid> _docOfKey = new();
    private int _dimensions;
    private long _knownVersion;
    private long _lastVersionCheck;

    public bool UsesHnsw => _index?.UsesHnsw ?? false;

    public async Task InitializeAsync(string modelId, int dimensions, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var (model, dims) = await IndexMeta.ReadModelAsync(c);
        IndexMeta.EnsureSameModel(model, dims, modelId, dimensions);
        if (model is null)
        {
            await IndexMeta.WriteAsync(c, IndexMeta.ModelKey, modelId);
            await IndexMeta.WriteAsync(c, IndexMeta.DimensionsKey, dimensions.ToString());
        }
        _dimensions = dimensions;
        await LoadAsync(ct);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var o = options.Value;
        var index = new InProcessVectorIndex(_dimensions, new InProcessVectorIndexOptions(HnswThreshold: Math.Max(1, o.ExactSearchThreshold),
            Hnsw: new HnswOptions(EfSearch: o.EfSearch)));
        var map = new Dictionary<int, Guid>();
        await using var c = await db.OpenAsync(ct);
        var version = await IndexMeta.ReadChunksVersionAsync(c);
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition("SELECT seq, document_id, embedding FROM knowledge_chunks", cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct))
            {
                var key = checked((int)reader.GetInt64(0));
                var vector = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(2));
                if (vector.Length != _dimensions) continue;
                index.Upsert(key, vector);
                map[key] = Guid.Parse(reader.GetString(1));
            }
        }
        var old = _index;
        lock (_mapLock)
        {
            _index = index;
            _docOfKey = map;
            _knownVersion = version;
        }
        old?.Dispose();
        logger.LogInformation("Loaded {Count} chunk vectors into the in-process index in {Ms} ms (HNSW: {Hnsw})", map.Count, sw.ElapsedMilliseconds, index.UsesHnsw);
    }

    public async Task<bool> ReplaceDocumentChunksAsync(Guid documentId, IReadOnlyList<ChunkRecord> chunks, int? pageCount, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow();
            await using var c = await db.OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            var exists = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM knowledge_documents WHERE id = @documentId",
                new { documentId }, tx, cancellationToken: ct));
            if (exists == 0) return false;
            var oldKeys = (await c.QueryAsync<long>(new CommandDefinition("SELECT seq FROM knowledge_chunks WHERE document_id = @documentId",
                new { documentId }, tx, cancellationToken: ct))).Select(k => (int)k).ToList();
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM knowledge_chunks WHERE document_id = @documentId", new { documentId }, tx, cancellationToken: ct));
            var newKeys = new List<(int Key, float[] Vector)>(chunks.Count);
            foreach (var ch in chunks)
            {
                var seq = await c.ExecuteScalarAsync<long>(new CommandDefinition("""
                    INSERT INTO knowledge_chunks (id, document_id, chunk_index, text, page_number, page_end, start_char, end_char, start_seconds, token_count, embedding)
                    VALUES (@Id, @DocumentId, @Index, @Text, @PageNumber, @PageEnd, @StartChar, @EndChar, @StartSeconds, @TokenCount, @Blob)
                    RETURNING seq
                    """, new { ch.Id, ch.DocumentId, ch.Index, ch.Text, ch.PageNumber, ch.PageEnd, ch.StartChar, ch.EndChar, ch.StartSeconds, ch.TokenCount,
                        Blob = MemoryMarshal.AsBytes(ch.Embedding.AsSpan()).ToArray() }, tx, cancellationToken: ct));
                newKeys.Add(((int)seq, ch.Embedding));
            }
            await ChunkQueries.CompleteDocumentAsync(c, tx, documentId, chunks.Count, pageCount, now, ct);
            var version = await IndexMeta.ReadChunksVersionAsync(c) + 1;
            await IndexMeta.BumpChunksVersionAsync(c, tx, version);
            await tx.CommitAsync(ct);

            // Committed: the new chunks become visible to vector search; FTS already switched atomically.
            var index = _index!;
            foreach (var (key, vector) in newKeys) index.Upsert(key, vector);
            lock (_mapLock)
            {
                foreach (var (key, _) in newKeys) _docOfKey[key] = documentId;
                foreach (var key in oldKeys) _docOfKey.Remove(key);
                if (_knownVersion == version - 1) _knownVersion = version;
            }
            foreach (var key in oldKeys) index.Remove(key);
            return true;
        }
        finally { _writeGate.Release(); }
    }

    public async Task<IReadOnlyList<RankedChunk>> VectorSearchAsync(ReadOnlyMemory<float> query, int k, SearchScope scope, int? efSearch, CancellationToken ct)
    {
        await RefreshIfChangedElsewhereAsync(ct);
        var started = Stopwatch.GetTimestamp();
        HashSet<Guid> visible;
        await using (var c = await db.OpenAsync(ct))
        {
            var ids = await c.QueryAsync<Guid>(new CommandDefinition(
                $"SELECT d.id FROM knowledge_documents d WHERE {KnowledgeDocumentStore.VisibleTo}", new { viewer = scope.ViewerId }, cancellationToken: ct));
            visible = scope.DocumentIds is { Count: > 0 } only ? ids.Where(only.Contains).ToHashSet() : ids.ToHashSet();
        }
        if (visible.Count == 0) return [];
        Dictionary<int, Guid> map;
        lock (_mapLock) map = _docOfKey;
        var index = _index!;
        // The filter runs inside the search: other users' chunks are skipped, never counted against k.
        var hits = index.Search(query.Span, k, key => map.TryGetValue(key, out var doc) && visible.Contains(doc), efSearch ?? options.Value.EfSearch);
        telemetry.VectorSearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("provider", "sqlite"));
        return hits.Select(h => new RankedChunk(h.Key, h.Score)).ToList();
    }

    public async Task<IReadOnlyList<RankedChunk>> KeywordSearchAsync(string query, int k, SearchScope scope, CancellationToken ct)
    {
        var match = KeywordQuery.Fts5(query);
        if (match is null) return [];
        var started = Stopwatch.GetTimestamp();
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Seq, double Score)>(new CommandDefinition($"""
            SELECT c.seq, -bm25(knowledge_chunks_fts) AS score
            FROM knowledge_chunks_fts
            JOIN knowledge_chunks c ON c.seq = knowledge_chunks_fts.rowid
            JOIN knowledge_documents d ON d.id = c.document_id
            WHERE knowledge_chunks_fts MATCH @match AND {ChunkQueries.ScopeFilter(scope, db.Dialect)}
            ORDER BY bm25(knowledge_chunks_fts)
            LIMIT @k
            """, ChunkQueries.ScopeArgs(scope, new { match, k }), cancellationToken: ct));
        telemetry.KeywordSearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("provider", "sqlite"));
        return rows.Select(r => new RankedChunk(r.Seq, r.Score)).ToList();
    }

    public async Task<IReadOnlyList<ChunkDetails>> GetChunksAsync(IReadOnlyCollection<long> seqs, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await ChunkQueries.GetDetailsAsync(c, db.Dialect, seqs, ct);
    }

    public void ForgetDocument(Guid documentId)
    {
        List<int> keys;
        lock (_mapLock)
        {
            keys = _docOfKey.Where(kv => kv.Value == documentId).Select(kv => kv.Key).ToList();
            foreach (var key in keys) _docOfKey.Remove(key);
        }
        foreach (var key in keys) _index?.Remove(key);
    }

    public async Task<int> ReindexAsync(string modelId, int dimensions, Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<float[]>>> embed,
        IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            await using var c = await db.OpenAsync(ct);
            var all = (await c.QueryAsync<(long Seq, string Text)>("SELECT seq, text FROM knowledge_chunks ORDER BY seq")).ToList();
            var done = 0;
            await using var tx = await c.BeginTransactionAsync(ct);
            foreach (var batch in all.Chunk(32))
            {
                var vectors = await embed(batch.Select(b => b.Text).ToList(), ct);
                for (var i = 0; i < batch.Length; i++)
                    await c.ExecuteAsync(new CommandDefinition("UPDATE knowledge_chunks SET embedding = @blob WHERE seq = @seq",
                        new { blob = MemoryMarshal.AsBytes(vectors[i].AsSpan()).ToArray(), seq = batch[i].Seq }, tx, cancellationToken: ct));
                done += batch.Length;
                progress?.Report((done, all.Count));
            }
            await IndexMeta.WriteAsync(c, IndexMeta.ModelKey, modelId, tx);
            await IndexMeta.WriteAsync(c, IndexMeta.DimensionsKey, dimensions.ToString(), tx);
            await IndexMeta.BumpChunksVersionAsync(c, tx, await IndexMeta.ReadChunksVersionAsync(c) + 1);
            await c.ExecuteAsync("UPDATE knowledge_documents SET version = version + 1", transaction: tx);
            await tx.CommitAsync(ct);
            _dimensions = dimensions;
            await LoadAsync(ct);
            return all.Count;
        }
        finally { _writeGate.Release(); }
    }

    /// <summary>At most once a second, a one-row read tells whether another process changed the chunks.</summary>
    private async Task RefreshIfChangedElsewhereAsync(CancellationToken ct)
    {
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastVersionCheck);
        if (clock.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1) || Interlocked.CompareExchange(ref _lastVersionCheck, now, last) != last) return;
        long version;
        await using (var c = await db.OpenAsync(ct)) version = await IndexMeta.ReadChunksVersionAsync(c);
        if (version == Interlocked.Read(ref _knownVersion)) return;
        await _writeGate.WaitAsync(ct);
        try
        {
            if (version != Interlocked.Read(ref _knownVersion))
            {
                logger.LogInformation("Chunks changed in another process (version {Version}); reloading the vector index", version);
                await LoadAsync(ct);
            }
        }
        finally { _writeGate.Release(); }
    }

    public void Dispose()
    {
        _index?.Dispose();
        _writeGate.Dispose();
    }
}
