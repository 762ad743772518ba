namespace TeacherPlatform.Ai.Retrieval;

/// <summary>A chunk ready to be written: text, location and its embedding.</summary>
/// <param name="Source">
/// The document's author and the chunk's section heading, indexed as a second keyword field (weighted by
/// <see cref="SearchOptions.KeywordSourceWeight"/>), so "what does Tapper say about…" finds Tapper's pages.
/// </param>
public sealed record ChunkRecord(
    Guid Id, Guid DocumentId, int Index, string Text, int PageNumber, int PageEnd,
    int StartChar, int EndChar, double? StartSeconds, int TokenCount, float[] Embedding, string Source = "");

/// <summary>One hit of a single retriever (vector or keyword), identified by the chunk's sequence number.</summary>
public readonly record struct RankedChunk(long Seq, double Score);

/// <summary>What a hit needs to become a citation.</summary>
public sealed record ChunkDetails(
    long Seq, Guid ChunkId, Guid DocumentId, string Title, string SourceType, int PageNumber, int PageEnd,
    double? StartSeconds, string Text, int Version);

/// <summary>Who is searching and, optionally, which documents to search in. Visibility is applied inside the search.</summary>
public sealed record SearchScope(Guid ViewerId, IReadOnlyCollection<Guid>? DocumentIds = null);

/// <summary>
/// The provider-specific chunk index: vectors + full text + chunk rows, written atomically per document.
/// SQLite: in-process vector index over BLOB vectors + FTS5; PostgreSQL: pgvector HNSW + tsvector GIN.
/// </summary>
public interface IKnowledgeIndex
{
    /// <summary>Checks the index was built with this embedding model (refuses silent mixing) and loads what it needs.</summary>
    Task InitializeAsync(string modelId, int dimensions, CancellationToken ct);

    /// <summary>
    /// Replaces all chunks of a document in one transaction, also updating the document row (status completed,
    /// chunk count, version). Returns false when the document no longer exists (deleted meanwhile).
    /// </summary>
    Task<bool> ReplaceDocumentChunksAsync(Guid documentId, IReadOnlyList<ChunkRecord> chunks, int? pageCount, CancellationToken ct);

    Task<IReadOnlyList<RankedChunk>> VectorSearchAsync(ReadOnlyMemory<float> query, int k, SearchScope scope, int? efSearch, CancellationToken ct);

    Task<IReadOnlyList<RankedChunk>> KeywordSearchAsync(string query, int k, SearchScope scope, CancellationToken ct);

    Task<IReadOnlyList<ChunkDetails>> GetChunksAsync(IReadOnlyCollection<long> seqs, CancellationToken ct);

    /// <summary>Chunk count and per-term document frequency over the whole corpus (cached; the confidence scorer's idf).</summary>
    Task<TermStatistics> TermStatisticsAsync(IReadOnlyList<string> terms, CancellationToken ct);

    /// <summary>Drops in-memory state for a deleted document (rows go with the document's cascade).</summary>
    void ForgetDocument(Guid documentId);

    /// <summary>Re-embeds every stored chunk with the given model and records it (the `reindex` command).</summary>
    Task<int> ReindexAsync(string modelId, int dimensions, Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<float[]>>> embed,
        IProgress<(int Done, int Total)>? progress, CancellationToken ct);
}

public enum FusionMethod { RelativeScore, Rrf }

public sealed class SearchOptions
{
    public const string Section = "Search";
    /// <summary>Candidates taken from each retriever before fusion.</summary>
    public int CandidatesPerList { get; set; } = 50;
    /// <summary>
    /// How the vector and keyword lists are fused in hybrid mode. <see cref="FusionMethod.RelativeScore"/> (default):
    /// each list's scores min-max normalised over its candidates, then
    /// (1 − <see cref="RelativeScoreKeywordWeight"/>) · vector + <see cref="RelativeScoreKeywordWeight"/> · keyword
    /// (a chunk missing from a list gets that list's minimum, 0). <see cref="FusionMethod.Rrf"/>: Reciprocal Rank
    /// Fusion with <see cref="RrfK"/>, <see cref="VectorWeight"/> and <see cref="KeywordWeight"/>. Issue 10, P1.
    /// </summary>
    public FusionMethod Fusion { get; set; } = FusionMethod.RelativeScore;
    /// <summary>
    /// Relative score fusion: the keyword list's share (0–1; the vector list gets the rest). 0.65 was chosen on the
    /// odd-id half of the gutenberg set and checked on its even half and on the pedagogy set (issue 10, P1).
    /// </summary>
    public double RelativeScoreKeywordWeight { get; set; } = 0.65;
    /// <summary>
    /// Reciprocal Rank Fusion constant k (score = w / (k + rank)). 40 rather than the customary 60: a little more weight
    /// on the top of each list; swept 20/40/60/100 on both eval sets, 40 was best or equal on both (issue 10).
    /// </summary>
    public double RrfK { get; set; } = 40;
    public double VectorWeight { get; set; } = 1.0;
    public double KeywordWeight { get; set; } = 1.0;
    public int DefaultTopK { get; set; } = 8;
    public int MaxTopK { get; set; } = 50;
    /// <summary>
    /// HNSW ef_search (pgvector hnsw.ef_search; the in-process HNSW index's ef). 200: on 100 000 real-text chunks with
    /// real embeddings recall@10 against exact search is 0.984 at 100 and 0.995 at 200, for about 0.5 ms more per query
    /// (evals/results/PERFORMANCE.md, session 10).
    /// </summary>
    public int EfSearch { get; set; } = 200;
    /// <summary>pgvector HNSW build parameters.</summary>
    public int HnswM { get; set; } = 16;
    public int HnswEfConstruction { get; set; } = 64;
    /// <summary>SQLite mode: exact SIMD scan below this many chunks, HNSW graph above.</summary>
    public int ExactSearchThreshold { get; set; } = 20_000;
    /// <summary>SQLite mode: keep the in-process index (HNSW graph included) in a snapshot file in the data directory, so
    /// start-up loads it instead of rebuilding it from every stored vector.</summary>
    public bool PersistVectorIndex { get; set; } = true;
    /// <summary>How often the snapshot is rewritten when the index changed (it is also written at shutdown).</summary>
    public TimeSpan VectorIndexSaveInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// Weight of the chunk's source field (its document's author and its section heading) against its text (1) in the
    /// keyword score: FTS5 bm25 column weights, the same term-frequency weighting in the PostgreSQL statement. 0 = a
    /// match in the field adds nothing to a chunk's score.
    /// </summary>
    public double KeywordSourceWeight { get; set; } = 1.0;
    /// <summary>Keyword search ORs at most this many of a question's terms, the rarest (largest idf) first; 0 = all.</summary>
    public int KeywordMaxTerms { get; set; } = 16;
    /// <summary>Keyword terms in more than this fraction of all chunks are left out (BM25 gives them no weight).</summary>
    public double KeywordMaxDocFraction { get; set; } = 0.5;
    /// <summary>
    /// Keyword search also tries the other spellings of what old and edited books write in several ways: a closed
    /// compound the corpus only spells with a hyphen ("keyboard" / "key-board", "forearm" / "fore-arm"), a hyphenated
    /// word the corpus spells closed, and a numbered part named in words, digits or Roman numerals ("chapter three" /
    /// "CHAPTER III."). false = the question's words only.
    /// </summary>
    public bool KeywordSpellingVariants { get; set; } = true;
    /// <summary>Keyword term selection applies from this many chunks on (below it the full OR query is cheap).</summary>
    public int KeywordSelectionMinChunks { get; set; } = 1000;
    /// <summary>
    /// SQLite mode: after a document's chunks are written, the full-text index is merged into one segment (FTS5
    /// 'optimize') while the corpus holds at most this many chunks; 0 = never. FTS5 writes a segment per flush (one or
    /// more per document) and looks every query term up in each: a 203-chunk corpus had 14 segments and its keyword
    /// statement took 1.7 ms, 0.6 ms after the merge. Optimize rewrites the whole index (about 1 s at 100 000 chunks),
    /// so larger corpora are left to FTS5's own incremental merging.
    /// </summary>
    public int KeywordIndexCompactionMaxChunks { get; set; } = 20_000;
}
