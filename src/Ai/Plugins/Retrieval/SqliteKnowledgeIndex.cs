using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.VectorIndex;
using TeacherPlatform.Core.Configuration;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>How the in-process vector index was last (re)loaded: from the persisted snapshot (caught up with the rows
/// added and removed since) or rebuilt from every stored vector, and why.</summary>
public sealed record VectorIndexLoad(string Source, string? SnapshotProblem, int Count, int Added, int Removed, TimeSpan Elapsed)
{
    public const string FromSnapshot = "snapshot";
    public const string Rebuilt = "rebuilt";
    public const string CaughtUp = "caught_up";
}

/// <summary>
/// Embedded mode: chunk rows and float32 vectors in SQLite, keywords in FTS5 (bm25), vectors searched in process
/// (exact SIMD scan while small, HNSW above <see cref="SearchOptions.ExactSearchThreshold"/>). At start-up the index
/// is read from its snapshot file in the data directory (the HNSW graph as saved, no rebuild) and caught up with the
/// rows added and removed since; without a usable snapshot it is rebuilt from SQLite. It is kept in step on every
/// write; a write by another process (a worker-only instance) is noticed through index_meta.chunks_version and caught
/// up the same way. <see cref="VectorIndexSnapshotService"/> saves the snapshot periodically and at shutdown.
/// </summary>
public sealed class SqliteKnowledgeIndex(Db db, IOptions<SearchOptions> options, IOptions<DataOptions> data, AppTelemetry telemetry,
    TimeProvider clock, ILogger<SqliteKnowledgeIndex> logger) : IKnowledgeIndex, IDisposable
{
    public const string SnapshotFileName = "vector-index.tpvx";

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private bool _disposed;
    private readonly KeywordTermStats _termStats = new((c, term, ct) => c.ExecuteScalarAsync<long>(new CommandDefinition(
        "SELECT count(*) FROM knowledge_chunks_fts WHERE knowledge_chunks_fts MATCH @m", new { m = $"\"{term}\"" }, cancellationToken: ct)));
    private readonly Lock _mapLock = new();
    private InProcessVectorIndex? _index;
    // Read by every vector search without a lock while ingests and deletes write it: a plain Dictionary read during
    // a write may miss a key or throw, so the map is concurrent (lock-free reads).
    private ConcurrentDictionary<int, Guid> _docOfKey = new();
    private string _modelId = "";
    private int _dimensions;
    private long _knownVersion;
    private long _lastVersionCheck;
    // Changes to the in-memory index since start-up, and how many of them the last snapshot holds.
    private long _changes;
    private long _savedChanges;

    public bool UsesHnsw => _index?.UsesHnsw ?? false;

    /// <summary>Vectors in the in-process index.</summary>
    public int Count => _index?.Count ?? 0;

    /// <summary>How the index was last loaded (null before <see cref="InitializeAsync"/>).</summary>
    public VectorIndexLoad? LastLoad { get; private set; }

    /// <summary>Snapshots written by this instance.</summary>
    public int SnapshotsWritten { get; private set; }

    public string SnapshotPath => data.Value.Combine(SnapshotFileName);

    public async Task InitializeAsync(string modelId, int dimensions, CancellationToken ct)
    {
        await using (var c = await db.OpenAsync(ct))
        {
            var (model, dims) = await IndexMeta.ReadModelAsync(c);
            IndexMeta.EnsureSameModel(model, dims, modelId, dimensions);
            if (model is null)
            {
                await IndexMeta.WriteAsync(c, IndexMeta.ModelKey, modelId);
                await IndexMeta.WriteAsync(c, IndexMeta.DimensionsKey, dimensions.ToString());
            }
        }
        _modelId = modelId;
        _dimensions = dimensions;
        await LoadAsync(LoadMode.Snapshot, ct);
    }

    private enum LoadMode { Snapshot, Rebuild, CatchUp }

    private InProcessVectorIndexOptions IndexOptions()
    {
        var o = options.Value;
        return new InProcessVectorIndexOptions(HnswThreshold: Math.Max(1, o.ExactSearchThreshold), Hnsw: new HnswOptions(EfSearch: o.EfSearch));
    }

    /// <summary>
    /// (Re)loads the index: from the snapshot file or the live index (<see cref="LoadMode.CatchUp"/>) plus the rows
    /// added and removed since, which a diff of chunk keys finds (keys are AUTOINCREMENT, never reused); or from every row.
    /// Callers hold the write gate, or run before any write (start-up).
    /// </summary>
    private async Task LoadAsync(LoadMode mode, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        await using var c = await db.OpenAsync(ct);
        var version = await IndexMeta.ReadChunksVersionAsync(c);
        var map = new ConcurrentDictionary<int, Guid>();
        // Served from the (document_id, chunk_index) index, which holds every rowid: no read of the vectors.
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition("SELECT seq, document_id FROM knowledge_chunks", cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct)) map[checked((int)reader.GetInt64(0))] = Guid.Parse(reader.GetString(1));
        }

        InProcessVectorIndex? index = null;
        string? problem = null;
        var persist = options.Value.PersistVectorIndex;
        if (mode == LoadMode.CatchUp) index = _index;
        else if (mode == LoadMode.Snapshot && persist)
        {
            var path = SnapshotPath;
            var read = await Task.Run(() => VectorIndexSnapshot.TryRead(path, _modelId, _dimensions, IndexOptions()), ct);
            (index, problem) = (read.Index, read.Problem);
        }
        else if (mode == LoadMode.Snapshot) problem = "persistence disabled";

        var source = index is null ? VectorIndexLoad.Rebuilt : mode == LoadMode.CatchUp ? VectorIndexLoad.CaughtUp : VectorIndexLoad.FromSnapshot;
        index ??= new InProcessVectorIndex(_dimensions, IndexOptions());
        var present = index.Keys().ToHashSet();
        var missing = map.Keys.Where(k => !present.Contains(k)).ToList();
        var removed = present.Where(k => !map.ContainsKey(k)).ToList();
        var added = new HashSet<int>();
        async Task AddRowsAsync(string sql, object? args)
        {
            await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(sql, args, cancellationToken: ct));
            while (await reader.ReadAsync(ct))
            {
                var key = checked((int)reader.GetInt64(0));
                if (present.Contains(key) || !map.ContainsKey(key)) continue;
                var vector = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1));
                if (vector.Length != _dimensions) continue;
                index.Upsert(key, vector);
                added.Add(key);
            }
        }
        // One scan when most rows are missing (a rebuild), a keyed read of the few added since otherwise.
        if (missing.Count > present.Count) await AddRowsAsync("SELECT seq, embedding FROM knowledge_chunks", null);
        else foreach (var batch in missing.Chunk(500))
            await AddRowsAsync($"SELECT seq, embedding FROM knowledge_chunks WHERE {db.Dialect.InList("seq", "batch")}",
                new { batch = db.Dialect.IntegerList(batch.Select(k => (long)k)) });
        // A row without a usable vector (another dimension) is not searchable by vector.
        foreach (var key in missing) if (!added.Contains(key)) map.TryRemove(key, out _);

        var old = _index;
        lock (_mapLock)
        {
            _index = index;
            _docOfKey = map;
            _knownVersion = version;
        }
        // Removed after the new map is visible, as a write does: a search never sees a key without its document.
        foreach (var key in removed) index.Remove(key);
        if (!ReferenceEquals(old, index)) old?.Dispose();
        if (source == VectorIndexLoad.Rebuilt || added.Count + removed.Count > 0) Interlocked.Increment(ref _changes);
        LastLoad = new VectorIndexLoad(source, problem, index.Count, added.Count, removed.Count, sw.Elapsed);
        logger.LogInformation(
            "Vector index {Source} with {Count} chunk vectors ({Added} added, {Removed} removed since) in {Ms} ms (HNSW: {Hnsw}; snapshot: {Problem})",
            source, index.Count, added.Count, removed.Count, sw.ElapsedMilliseconds, index.UsesHnsw, problem ?? "used");
    }

    /// <summary>
    /// Writes the snapshot when the index changed since the last one (under the write gate, so it matches a committed
    /// state; searches continue meanwhile). Returns whether a file was written.
    /// </summary>
    public async Task<bool> SaveSnapshotAsync(CancellationToken ct)
    {
        if (!options.Value.PersistVectorIndex || _disposed || _index is null || Interlocked.Read(ref _changes) == Interlocked.Read(ref _savedChanges)) return false;
        await _writeGate.WaitAsync(ct);
        try
        {
            var changes = Interlocked.Read(ref _changes);
            if (_disposed || changes == Interlocked.Read(ref _savedChanges)) return false;
            var (index, version, path) = (_index, Interlocked.Read(ref _knownVersion), SnapshotPath);
            var sw = Stopwatch.StartNew();
            var header = await Task.Run(() => VectorIndexSnapshot.Write(path, _modelId, version, index), ct);
            Interlocked.Exchange(ref _savedChanges, changes);
            SnapshotsWritten++;
            logger.LogInformation("Vector index snapshot written: {Count} vectors up to chunk {HighWater} in {Ms} ms", header.Count, header.HighWaterKey, sw.ElapsedMilliseconds);
            return true;
        }
        finally { _writeGate.Release(); }
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
                    INSERT INTO knowledge_chunks (id, document_id, chunk_index, text, page_number, page_end, start_char, end_char, start_seconds, token_count, embedding, source)
                    VALUES (@Id, @DocumentId, @Index, @Text, @PageNumber, @PageEnd, @StartChar, @EndChar, @StartSeconds, @TokenCount, @Blob, @Source)
                    RETURNING seq
                    """, new { ch.Id, ch.DocumentId, ch.Index, ch.Text, ch.PageNumber, ch.PageEnd, ch.StartChar, ch.EndChar, ch.StartSeconds, ch.TokenCount, ch.Source,
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
                foreach (var key in oldKeys) _docOfKey.TryRemove(key, out _);
                if (_knownVersion == version - 1) _knownVersion = version;
            }
            foreach (var key in oldKeys) index.Remove(key);
            Interlocked.Increment(ref _changes);
            await CompactKeywordIndexAsync(c);
            return true;
        }
        finally { _writeGate.Release(); }
    }

    /// <summary>
    /// Merges the full-text index into one segment while the corpus is small enough for that to be cheap (see
    /// <see cref="SearchOptions.KeywordIndexCompactionMaxChunks"/>). Runs after the commit, under the write gate; the
    /// chunks are already stored and searchable, so it is not cancelled (the write has succeeded) and a failure only costs
    /// query speed and is logged.
    /// </summary>
    private async Task CompactKeywordIndexAsync(DbConnection c)
    {
        var limit = options.Value.KeywordIndexCompactionMaxChunks;
        if (limit <= 0 || _docOfKey.Count > limit) return;
        try
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO knowledge_chunks_fts (knowledge_chunks_fts) VALUES ('optimize')", cancellationToken: CancellationToken.None));
        }
        catch (SqliteException ex)
        {
            logger.LogWarning(ex, "Could not merge the full-text index; keyword search stays correct, only slower");
        }
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
        ConcurrentDictionary<int, Guid> map;
        lock (_mapLock) map = _docOfKey;
        var index = _index!;
        // The filter runs inside the search: other users' chunks are skipped, never counted against k.
        var hits = index.Search(query.Span, k, key => map.TryGetValue(key, out var doc) && visible.Contains(doc), efSearch ?? options.Value.EfSearch);
        telemetry.VectorSearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("provider", "sqlite"));
        return hits.Select(h => new RankedChunk(h.Key, h.Score)).ToList();
    }

    public async Task<IReadOnlyList<RankedChunk>> KeywordSearchAsync(string query, int k, SearchScope scope, CancellationToken ct)
    {
        var plan = KeywordQuery.Plan(query);
        if (plan.IsEmpty) return [];
        var started = Stopwatch.GetTimestamp();
        await using var c = await db.OpenAsync(ct);
        var match = (await _termStats.SelectAsync(c, plan, options.Value, ct)).Fts5();
        if (match is null) return []; // only other spellings, none of which the corpus writes

        // FTS5 scores every match either way, but joining each match to its chunk and document for the scope check
        // cost twice the scoring (100 000 chunks: 97 ms against 34 ms). So the best matches come from the FTS table
        // alone and only they are checked against the scope. That is exact: any visible match outside them ranks
        // below all of them. Only when fewer than k of them are visible, and more matches exist, is the joined query run.
        var shortlist = Math.Max(k * 4, 200);
        var sourceWeight = options.Value.KeywordSourceWeight;
        var best = (await c.QueryAsync<(long Seq, double Rank)>(new CommandDefinition("""
            SELECT rowid, bm25(knowledge_chunks_fts, 1.0, @sourceWeight) AS r FROM knowledge_chunks_fts
            WHERE knowledge_chunks_fts MATCH @match ORDER BY r, rowid LIMIT @shortlist
            """, new { match, shortlist, sourceWeight }, cancellationToken: ct))).ToList();
        var ranked = new List<RankedChunk>(k);
        if (best.Count > 0)
        {
            var visible = (await c.QueryAsync<long>(new CommandDefinition($"""
                SELECT c.seq FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id
                WHERE {db.Dialect.InList("c.seq", "seqs")} AND {ChunkQueries.ScopeFilter(scope, db.Dialect)}
                """, ChunkQueries.ScopeArgs(scope, db.Dialect, new { seqs = db.Dialect.IntegerList(best.Select(b => b.Seq)) }), cancellationToken: ct))).ToHashSet();
            ranked.AddRange(best.Where(b => visible.Contains(b.Seq)).Take(k).Select(b => new RankedChunk(b.Seq, -b.Rank)));
        }
        if (ranked.Count < k && best.Count == shortlist)
        {
            var rows = await c.QueryAsync<(long Seq, double Score)>(new CommandDefinition($"""
                SELECT c.seq, -bm25(knowledge_chunks_fts, 1.0, @sourceWeight) AS score
                FROM knowledge_chunks_fts
                JOIN knowledge_chunks c ON c.seq = knowledge_chunks_fts.rowid
                JOIN knowledge_documents d ON d.id = c.document_id
                WHERE knowledge_chunks_fts MATCH @match AND {ChunkQueries.ScopeFilter(scope, db.Dialect)}
                ORDER BY score DESC, c.seq
                LIMIT @k
                """, ChunkQueries.ScopeArgs(scope, db.Dialect, new { match, k, sourceWeight }), cancellationToken: ct));
            ranked = rows.Select(r => new RankedChunk(r.Seq, r.Score)).ToList();
        }
        telemetry.KeywordSearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("provider", "sqlite"));
        return ranked;
    }

    public async Task<TermStatistics> TermStatisticsAsync(IReadOnlyList<string> terms, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await _termStats.StatisticsAsync(c, terms, ct);
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
            foreach (var key in keys) _docOfKey.TryRemove(key, out _);
        }
        foreach (var key in keys) _index?.Remove(key);
        if (keys.Count > 0) Interlocked.Increment(ref _changes);
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
            (_modelId, _dimensions) = (modelId, dimensions);
            if (options.Value.PersistVectorIndex) File.Delete(SnapshotPath);
            // Every vector changed under the same keys: a diff of keys cannot see that, so rebuild (and save over the old snapshot).
            await LoadAsync(LoadMode.Rebuild, ct);
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
                logger.LogInformation("Chunks changed in another process (version {Version}); catching the vector index up", version);
                await LoadAsync(LoadMode.CatchUp, ct);
            }
        }
        finally { _writeGate.Release(); }
    }

    public void Dispose()
    {
        // A snapshot save may still be running when the host is torn down: wait for it under the gate, then mark the
        // index gone so a later save is a no-op. The gate itself is never disposed (SemaphoreSlim needs no disposal
        // unless its wait handle is used), so a late Release cannot throw.
        _writeGate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _index?.Dispose();
        }
        finally { _writeGate.Release(); }
    }
}
