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
/// Production mode: pgvector `vector(n)` with an HNSW index (vector_cosine_ops) and a tsvector GIN index. The tsvector
/// holds <see cref="KeywordAnalyzer"/>'s tokens (FTS5's analysis, written by the application), and keyword search scores
/// them with BM25 exactly as FTS5 does, so both providers rank alike.
/// Vector search sets hnsw.ef_search and hnsw.iterative_scan per transaction so that a selective visibility
/// filter keeps scanning the graph instead of returning fewer than k rows.
/// </summary>
public sealed class PostgresKnowledgeIndex(Db db, IOptions<SearchOptions> options, AppTelemetry telemetry, TimeProvider clock,
    ILogger<PostgresKnowledgeIndex> logger) : IKnowledgeIndex
{
    public async Task InitializeAsync(string modelId, int dimensions, CancellationToken ct)
    {
        await CheckModelAsync(modelId, dimensions, ct);
        await AnalyseUnanalysedChunksAsync(ct);
    }

    private async Task CheckModelAsync(string modelId, int dimensions, CancellationToken ct)
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

    /// <summary>
    /// Writes the keyword analysis of chunks that have none (rows from before migration 0008), in batches, each its own
    /// transaction; idempotent. Rows are locked with SKIP LOCKED, so instances starting together share the work.
    /// </summary>
    private async Task AnalyseUnanalysedChunksAsync(CancellationToken ct)
    {
        const int batchSize = 500;
        var total = 0;
        while (true)
        {
            await using var c = (NpgsqlConnection)await db.OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            var rows = (await c.QueryAsync<(long Seq, string Text, string Source)>(new CommandDefinition(
                "SELECT seq, text, source FROM knowledge_chunks WHERE tsv IS NULL ORDER BY seq LIMIT @batchSize FOR UPDATE SKIP LOCKED",
                new { batchSize }, tx, cancellationToken: ct))).ToList();
            if (rows.Count == 0) break;
            var analysed = rows.Select(r => PostgresKeywordSyntax.Document(r.Text, r.Source)).ToList();
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE knowledge_chunks k SET tsv = v.tsv::tsvector, keyword_length = v.len
                FROM unnest(@seqs, @tsvs, @lens) AS v(seq, tsv, len) WHERE k.seq = v.seq
                """, new { seqs = rows.Select(r => r.Seq).ToArray(), tsvs = analysed.Select(a => a.Tsvector).ToArray(), lens = analysed.Select(a => a.Length).ToArray() },
                tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            total += rows.Count;
        }
        if (total > 0) logger.LogInformation("Keyword analysis written for {Count} chunks indexed before it existed", total);
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
            var (tsv, keywordLength) = PostgresKeywordSyntax.Document(ch.Text, ch.Source);
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO knowledge_chunks (id, document_id, chunk_index, text, page_number, page_end, start_char, end_char, start_seconds, token_count, embedding, tsv, keyword_length, source)
                VALUES (@Id, @DocumentId, @Index, @Text, @PageNumber, @PageEnd, @StartChar, @EndChar, @StartSeconds, @TokenCount, @Vector, @tsv::tsvector, @keywordLength, @Source)
                """, new { ch.Id, ch.DocumentId, ch.Index, ch.Text, ch.PageNumber, ch.PageEnd, ch.StartChar, ch.EndChar, ch.StartSeconds, ch.TokenCount, ch.Source,
                    Vector = new Vector(ch.Embedding), tsv, keywordLength }, tx, cancellationToken: ct));
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
            """, ChunkQueries.ScopeArgs(scope, db.Dialect, new { q = new Vector(query), k }), tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        telemetry.VectorSearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("provider", "postgres"));
        // relaxed_order may return rows slightly out of order.
        return rows.OrderByDescending(r => r.Score).Select(r => new RankedChunk(r.Seq, r.Score)).ToList();
    }

    // Same selection as on SQLite; document frequency over the whole table through the same lexeme match (GIN index).
    // A phrase (an other spelling) is its words at consecutive positions, as FTS5 matches a quoted phrase.
    private readonly KeywordTermStats _termStats = new((c, term, ct) => c.ExecuteScalarAsync<long>(new CommandDefinition(
        "SELECT count(*) FROM knowledge_chunks WHERE tsv @@ @q::tsquery",
        new { q = PostgresKeywordSyntax.Query(term.Split(' ').Select(LexemeOf).ToArray()) }, cancellationToken: ct)));

    // A query term is letters and digits only, which the analyser keeps as one token.
    private static string LexemeOf(string term) => KeywordAnalyzer.Term(term) ?? term;

    public async Task<IReadOnlyList<RankedChunk>> KeywordSearchAsync(string query, int k, SearchScope scope, CancellationToken ct)
    {
        var all = KeywordQuery.Plan(query);
        if (all.IsEmpty) return [];
        var started = Stopwatch.GetTimestamp();
        await using var c = await db.OpenAsync(ct);
        var plan = await _termStats.SelectAsync(c, all, options.Value, ct);
        if (plan.IsEmpty) return []; // only other spellings, none of which the corpus writes
        // The plan's terms, phrases and quoted passages, each one BM25 term as FTS5 scores the OR of quoted strings: a
        // word and a phrase alike, and two words with one stem count twice, as FTS5 counts them.
        var items = plan.Terms.Select(t => new[] { LexemeOf(t) })
            .Concat(plan.AllPhrases.Select(p => p.Split(' ').Select(LexemeOf).ToArray()))
            .ToList();
        var queries = items.Select(PostgresKeywordSyntax.Query).ToArray();
        var words = items.Select(i => string.Join(' ', i)).ToArray();
        var lexemes = items.SelectMany(i => i).Distinct(StringComparer.Ordinal).ToArray();
        var match = string.Join(" | ", queries.Select(q => $"({q})"));
        // Okapi BM25 exactly as SQLite's FTS5 bm25() computes it: k1 = 1.2, b = 0.75; N, the average document length
        // and every document frequency over the whole table (FTS5's statistics ignore the caller's filter too);
        // idf = ln((N − n + 0.5) / (n + 0.5)) floored at 1e-6; document length = tokens in the chunk's text and source
        // field; tf = occurrences of the word, or of the phrase (its words at consecutive positions, counted at the
        // first word), each one in the source field (weight label A) counting KeywordSourceWeight, as FTS5's bm25
        // column weights count them. Every chunk matching any item is read once (GIN index), document frequencies are
        // counted among those (a join, not a scalar subquery the planner would re-run for every scored row: 10×
        // slower), candidates are those the caller may see. Phrase positions are read only in the chunks that hold the
        // whole phrase (a quote's stop words are in nearly every candidate).
        var rows = await c.QueryAsync<(long Seq, double Score)>(new CommandDefinition($"""
            WITH items AS (
                SELECT key, q::tsquery AS q, string_to_array(w, ' ') AS words
                FROM unnest(@queries::text[], @words::text[]) WITH ORDINALITY AS u(q, w, key)),
            stats AS (
                SELECT count(*)::float8 AS n, CASE WHEN sum(keyword_length) > 0 THEN sum(keyword_length)::float8 / count(*) ELSE 1 END AS avgdl
                FROM knowledge_chunks WHERE tsv IS NOT NULL),
            hits AS MATERIALIZED (
                SELECT seq, document_id, tsv, keyword_length FROM knowledge_chunks WHERE tsv @@ @match::tsquery),
            df AS (SELECT i.key, count(h.seq)::float8 AS df FROM items i LEFT JOIN hits h ON h.tsv @@ i.q GROUP BY i.key),
            cand AS (
                SELECT c.seq, c.tsv, c.keyword_length::float8 AS dl
                FROM hits c JOIN knowledge_documents d ON d.id = c.document_id
                WHERE {ChunkQueries.ScopeFilter(scope, db.Dialect)}),
            lex AS MATERIALIZED (
                SELECT cand.seq, u.lexeme, u.positions, u.weights FROM cand, unnest(cand.tsv) u
                WHERE u.lexeme = ANY(@lexemes::text[])),
            phrase_hits AS (
                SELECT i.key, c.seq, i.words FROM items i JOIN cand c ON c.tsv @@ i.q WHERE cardinality(i.words) > 1),
            phrase_starts AS (
                SELECT ph.seq, ph.key, pos.p - w.off AS start, cardinality(ph.words) AS n, count(*) AS found,
                       max(CASE WHEN w.off = 1 THEN pos.weight END) AS first_weight
                FROM phrase_hits ph
                CROSS JOIN LATERAL unnest(ph.words) WITH ORDINALITY AS w(lexeme, off)
                JOIN lex l ON l.seq = ph.seq AND l.lexeme = w.lexeme
                CROSS JOIN LATERAL unnest(l.positions, l.weights) AS pos(p, weight)
                GROUP BY ph.seq, ph.key, pos.p - w.off, cardinality(ph.words)),
            tf AS (
                SELECT l.seq, i.key, (coalesce(array_length(l.positions, 1), 1)
                    + (@sourceWeight - 1) * coalesce(array_length(array_positions(l.weights, @sourceLabel), 1), 0))::float8 AS tf
                FROM items i JOIN lex l ON l.lexeme = i.words[1] WHERE cardinality(i.words) = 1
                UNION ALL
                SELECT seq, key, sum(CASE WHEN first_weight = @sourceLabel THEN @sourceWeight ELSE 1 END)::float8
                FROM phrase_starts WHERE found = n GROUP BY seq, key)
            SELECT tf.seq, sum(greatest(ln((stats.n - df.df + 0.5) / (df.df + 0.5)), 1e-6)
                               * tf.tf * 2.2 / (tf.tf + 1.2 * (0.25 + 0.75 * cand.dl / stats.avgdl))) AS score
            FROM tf JOIN df USING (key) JOIN cand USING (seq), stats
            WHERE tf.tf > 0
            GROUP BY tf.seq
            ORDER BY score DESC, tf.seq
            LIMIT @k
            """, ChunkQueries.ScopeArgs(scope, db.Dialect, new { queries, words, lexemes, match, k,
                sourceLabel = PostgresKeywordSyntax.SourceLabel, sourceWeight = options.Value.KeywordSourceWeight }), cancellationToken: ct));
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
