using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Pgvector;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// Production mode: pgvector `vector(n)` with an HNSW index (vector_cosine_ops) and a tsvector GIN index.
/// Vector search sets hnsw.ef_search and hnsw.iterative_scan per transaction so that a selective visibility
/// filter keeps scanning the graph instead of returning fewer than k rows.
/// </summary>
public sealed class PostgresKnowledgeIndex(Db db, IOptions<SearchOptions> options, AppTelemetry telemetry, TimeProvider clock,
    ILogger<PostgresKnowledgeIndex> logger) : IKnowledgeIndex
{
    public async Task InitializeAsync(string modelId, int dimensions, CancellationToken ct)
    {
        await using var c = (NpgsqlConnection)await db.OpenAsync(ct);
        var (model, dims) = await IndexMeta.ReadModelAsync(c);
        IndexMeta.EnsureSameModel(model, dims, modelId, dimensions);
        if (model is null)
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            await CreateVectorColumnAsync(c, tx, dimensions, ct);
            await IndexMeta.WriteAsync(c, IndexMeta.ModelKey, modelId, tx);
            await IndexMeta.WriteAsync(c, IndexMeta.DimensionsKey, dimensions.ToString(), tx);
            await tx.CommitAsync(ct);
            logger.LogInformation("Created vector({Dims}) column and HNSW index for {Model}", dimensions, modelId);
        }
    }

    private async Task CreateVectorColumnAsync(NpgsqlConnection c, NpgsqlTransaction tx, int dimensions, CancellationToken ct)
    {
        var o = options.Value;
        await c.ExecuteAsync(new CommandDefinition($"""
            ALTER TABLE knowledge_chunks DROP COLUMN IF EXISTS embedding;
            ALTER TABLE knowledge_chunks ADD COLUMN embedding vector({dimensions});
            CREATE INDEX ix_knowledge_chunks_embedding ON knowledge_chunks USING hnsw (embedding vector_cosine_ops)
                WITH (m = {o.HnswM}, ef_construction = {o.HnswEfConstruction});
            """, transaction: tx, cancellationToken: ct));
    }

    public async Task<bool> ReplaceDocumentChunksAsync(Guid documentId, IReadOnlyList<ChunkRecord> chunks, int? pageCount, CancellationToken ct)
    {
        await using var c = (NpgsqlConnection)await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        // Lock the document row: a concurrent delete waits for us (or we see it gone).
        var exists = await c.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM knowledge_documents WHERE id = @documentId FOR UPDATE", new { documentId }, tx, cancellationToken: ct));
        if (exists is null) return false;
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM knowledge_chunks WHERE document_id = @documentId", new { documentId }, tx, cancellationToken: ct));
        foreach (var ch in chunks)
        {
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO knowledge_chunks (id, document_id, chunk_index, text, page_number, page_end, start_char, end_char, start_seconds, token_count, embedding)
                VALUES (@Id, @DocumentId, @Index, @Text, @PageNumber, @PageEnd, @StartChar, @EndChar, @StartSeconds, @TokenCount, @Vector)
                """, new { ch.Id, ch.DocumentId, ch.Index, ch.Text, ch.PageNumber, ch.PageEnd, ch.StartChar, ch.EndChar, ch.StartSeconds, ch.TokenCount,
                    Vector = new Vector(ch.Embedding) }, tx, cancellationToken: ct));
        }
        await ChunkQueries.CompleteDocumentAsync(c, tx, documentId, chunks.Count, pageCount, clock.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<IReadOnlyList<RankedChunk>> VectorSearchAsync(ReadOnlyMemory<float> query, int k, SearchScope scope, int? efSearch, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var ef = Math.Clamp(efSearch ?? options.Value.EfSearch, 1, 1000);
        await using var c = (NpgsqlConnection)await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            $"SET LOCAL hnsw.ef_search = {ef}; SET LOCAL hnsw.iterative_scan = relaxed_order;", transaction: tx, cancellationToken: ct));
        var rows = await c.QueryAsync<(long Seq, double Score)>(new CommandDefinition($"""
            SELECT c.seq, 1 - (c.embedding <=> @q) AS score
            FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id
            WHERE {ChunkQueries.ScopeFilter(scope, db.Dialect)}
            ORDER BY c.embedding <=> @q
            LIMIT @k
            """, ChunkQueries.ScopeArgs(scope, new { q = new Vector(query), k }), tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        telemetry.VectorSearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("provider", "postgres"));
        // relaxed_order may return rows slightly out of order.
        return rows.OrderByDescending(r => r.Score).Select(r => new RankedChunk(r.Seq, r.Score)).ToList();
    }

    // Same selection as on SQLite, document frequency through the same tsquery matching the search uses (GIN index).
    private readonly KeywordTermStats _termStats = new((c, term, ct) => c.ExecuteScalarAsync<long>(new CommandDefinition(
        "SELECT count(*) FROM knowledge_chunks WHERE tsv @@ plainto_tsquery('english', @term)", new { term }, cancellationToken: ct)));

    public async Task<IReadOnlyList<RankedChunk>> KeywordSearchAsync(string query, int k, SearchScope scope, CancellationToken ct)
    {
        var all = KeywordQuery.Plan(query);
        if (all.Terms.Count == 0) return [];
        var started = Stopwatch.GetTimestamp();
        await using var c = await db.OpenAsync(ct);
        var plan = await _termStats.SelectAsync(c, all, options.Value, ct);
        var text = plan.WebSearch();
        var plain = string.Join(' ', plan.Terms);
        var phrases = plan.Phrases.ToArray();
        // Okapi BM25 as SQLite's FTS5 computes it, so both providers rank alike (ts_rank_cd has no inverse document
        // frequency, which lets common words of a long question outweigh the rare one that matters): k1 = 1.2, b = 0.75,
        // idf = ln((N − n + 0.5) / (n + 0.5)) floored at 1e-6, document length in tokens (positions), and every quoted
        // phrase of the query scored as one more term (FTS5 scores phrases, not only the words in them; a phrase counts
        // once per chunk here). Candidates are the chunks matching the OR query (terms and phrases, GIN index).
        var rows = await c.QueryAsync<(long Seq, double Score)>(new CommandDefinition($"""
            WITH scoped AS (
                SELECT c.seq, c.tsv, (SELECT coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0) FROM unnest(c.tsv) u)::float8 AS dl
                FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id
                WHERE {ChunkQueries.ScopeFilter(scope, db.Dialect)}),
            stats AS (SELECT count(*)::float8 AS n, greatest(coalesce(avg(dl), 1), 1)::float8 AS avgdl FROM scoped),
            terms AS (SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('english', @plain))) AS lexeme),
            phr AS (SELECT DISTINCT phraseto_tsquery('english', p) AS q FROM unnest(@phrases::text[]) AS p),
            df AS (
                SELECT t.lexeme AS key, (SELECT count(*) FROM scoped s WHERE s.tsv @@ to_tsquery('simple', quote_literal(t.lexeme)))::float8 AS df
                FROM terms t
                UNION ALL
                SELECT phr.q::text, (SELECT count(*) FROM scoped s WHERE s.tsv @@ phr.q)::float8
                FROM phr WHERE numnode(phr.q) >= 3),
            cand AS (SELECT s.seq, s.tsv, s.dl FROM scoped s WHERE s.tsv @@ websearch_to_tsquery('english', @text)),
            tf AS (
                SELECT cand.seq, cand.dl, u.lexeme AS key, coalesce(array_length(u.positions, 1), 1)::float8 AS tf
                FROM cand, unnest(cand.tsv) u WHERE u.lexeme IN (SELECT lexeme FROM terms)
                UNION ALL
                SELECT cand.seq, cand.dl, phr.q::text, 1
                FROM cand JOIN phr ON numnode(phr.q) >= 3 AND cand.tsv @@ phr.q)
            SELECT tf.seq, sum(greatest(ln((stats.n - df.df + 0.5) / (df.df + 0.5)), 1e-6)
                               * tf.tf * 2.2 / (tf.tf + 1.2 * (0.25 + 0.75 * tf.dl / stats.avgdl))) AS score
            FROM tf JOIN df USING (key), stats
            GROUP BY tf.seq
            ORDER BY score DESC, tf.seq
            LIMIT @k
            """, ChunkQueries.ScopeArgs(scope, new { text, plain, phrases, k }), cancellationToken: ct));
        telemetry.KeywordSearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("provider", "postgres"));
        return rows.Select(r => new RankedChunk(r.Seq, r.Score)).ToList();
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

    public void ForgetDocument(Guid documentId) { /* rows are the index; the cascade removes them */ }

    public async Task<int> ReindexAsync(string modelId, int dimensions, Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<float[]>>> embed,
        IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        // Embed first with no connection held (embedding takes minutes; a pooled connection is worth more than that),
        // then swap column and vectors in one transaction.
        List<(long Seq, string Text)> all;
        await using (var c0 = await db.OpenAsync(ct))
            all = (await c0.QueryAsync<(long Seq, string Text)>("SELECT seq, text FROM knowledge_chunks ORDER BY seq")).ToList();
        var vectors = new List<float[]>(all.Count);
        foreach (var batch in all.Chunk(32))
        {
            vectors.AddRange(await embed(batch.Select(b => b.Text).ToList(), ct));
            progress?.Report((vectors.Count, all.Count));
        }
        await using var c = (NpgsqlConnection)await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("DROP INDEX IF EXISTS ix_knowledge_chunks_embedding", transaction: tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition($"ALTER TABLE knowledge_chunks DROP COLUMN IF EXISTS embedding; ALTER TABLE knowledge_chunks ADD COLUMN embedding vector({dimensions});",
            transaction: tx, cancellationToken: ct));
        await c.ReloadTypesAsync(ct);
        for (var i = 0; i < all.Count; i++)
            await c.ExecuteAsync(new CommandDefinition("UPDATE knowledge_chunks SET embedding = @v WHERE seq = @seq",
                new { v = new Vector(vectors[i]), seq = all[i].Seq }, tx, cancellationToken: ct));
        var o = options.Value;
        await c.ExecuteAsync(new CommandDefinition(
            $"CREATE INDEX ix_knowledge_chunks_embedding ON knowledge_chunks USING hnsw (embedding vector_cosine_ops) WITH (m = {o.HnswM}, ef_construction = {o.HnswEfConstruction})",
            transaction: tx, cancellationToken: ct));
        await IndexMeta.WriteAsync(c, IndexMeta.ModelKey, modelId, tx);
        await IndexMeta.WriteAsync(c, IndexMeta.DimensionsKey, dimensions.ToString(), tx);
        await c.ExecuteAsync("UPDATE knowledge_documents SET version = version + 1", transaction: tx);
        await tx.CommitAsync(ct);
        return all.Count;
    }
}
