using Dapper;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

/// <summary>
/// What every <see cref="IKnowledgeIndex"/> must do, on its own database: chunks replaced atomically per document
/// with the document row, vector and keyword search that apply the viewer's visibility and the document filter inside
/// the search, chunk details by sequence number, and refusal of an index built with another model. Subclasses give the
/// database (SQLite: in-process vector index + FTS5; PostgreSQL: pgvector + tsvector).
/// </summary>
public abstract class KnowledgeIndexContractTests : IAsyncLifetime
{
    private ApiFactory? _factory;
    private Guid _teacher, _student;

    protected ApiFactory Factory => _factory ?? throw new InvalidOperationException("Not initialised.");
    private IKnowledgeIndex Index => Factory.Services.GetRequiredService<IKnowledgeIndex>();
    private IEmbeddingModel Model => Factory.Services.GetRequiredService<IEmbeddingModel>();
    private KnowledgeDocumentStore Documents => Factory.Services.GetRequiredService<KnowledgeDocumentStore>();

    protected abstract Task<ApiFactory> CreateFactoryAsync();

    protected virtual Task DisposeDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _factory = await CreateFactoryAsync();
        _teacher = (await _factory.RegisterAsync("teacher")).Id;
        _student = (await _factory.RegisterAsync("student")).Id;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        await DisposeDatabaseAsync();
    }

    [Fact]
    public async Task Replacing_chunks_writes_the_document_row_and_both_searches_find_them()
    {
        var doc = await CreateDocumentAsync(isPublic: false);
        Assert.True(await Index.ReplaceDocumentChunksAsync(doc, await ChunksAsync(doc, "arpeggio", "glissando", "tremolo"), pageCount: 3, CancellationToken.None));

        var row = (await Documents.GetAsync(doc, CancellationToken.None))!;
        Assert.Equal(DocumentStatus.Completed, row.Status);
        Assert.Equal(3, row.ChunkCount);

        var owner = new SearchScope(_teacher);
        var keyword = await Index.KeywordSearchAsync("glissando", 10, owner, CancellationToken.None);
        Assert.Equal("glissando", await TopWordAsync(keyword));
        var vector = await Index.VectorSearchAsync(await Model.EmbedQueryAsync("tremolo"), 3, owner, null, CancellationToken.None);
        Assert.Equal(3, vector.Count);
        Assert.Equal("tremolo", await TopWordAsync(vector));
        Assert.True(vector.Zip(vector.Skip(1)).All(p => p.First.Score >= p.Second.Score), "vector hits are best first");
    }

    [Fact]
    public async Task Searches_see_only_what_the_viewer_may_and_only_the_documents_asked_for()
    {
        var mine = await CreateDocumentAsync(isPublic: false);
        var shared = await CreateDocumentAsync(isPublic: true);
        await Index.ReplaceDocumentChunksAsync(mine, await ChunksAsync(mine, "arpeggio"), null, CancellationToken.None);
        await Index.ReplaceDocumentChunksAsync(shared, await ChunksAsync(shared, "arpeggio"), null, CancellationToken.None);
        var query = await Model.EmbedQueryAsync("arpeggio");

        Assert.Equal([shared], await DocumentsOfAsync(await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(_student), CancellationToken.None)));
        Assert.Equal([shared], await DocumentsOfAsync(await Index.VectorSearchAsync(query, 10, new SearchScope(_student), null, CancellationToken.None)));
        Assert.Equal([mine, shared], (await DocumentsOfAsync(await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(_teacher), CancellationToken.None))).Order());
        Assert.Equal([mine], await DocumentsOfAsync(await Index.VectorSearchAsync(query, 10, new SearchScope(_teacher, [mine]), null, CancellationToken.None)));
        Assert.Empty(await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(_student, [mine]), CancellationToken.None));
    }

    [Fact]
    public async Task Replacing_again_leaves_only_the_new_chunks()
    {
        var doc = await CreateDocumentAsync(isPublic: false);
        await Index.ReplaceDocumentChunksAsync(doc, await ChunksAsync(doc, "arpeggio", "glissando"), null, CancellationToken.None);
        var old = await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(_teacher), CancellationToken.None);

        await Index.ReplaceDocumentChunksAsync(doc, await ChunksAsync(doc, "tremolo"), null, CancellationToken.None);

        Assert.Empty(await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(_teacher), CancellationToken.None));
        Assert.Empty(await Index.GetChunksAsync(old.Select(r => r.Seq).ToList(), CancellationToken.None));
        var now = await Index.VectorSearchAsync(await Model.EmbedQueryAsync("arpeggio"), 10, new SearchScope(_teacher), null, CancellationToken.None);
        Assert.Single(now);
        Assert.Equal("tremolo", await TopWordAsync(now));
        Assert.Equal(1, (await Documents.GetAsync(doc, CancellationToken.None))!.ChunkCount);
    }

    [Fact]
    public async Task A_document_deleted_meanwhile_is_not_written()
    {
        var gone = Guid.NewGuid();
        Assert.False(await Index.ReplaceDocumentChunksAsync(gone, await ChunksAsync(gone, "arpeggio"), null, CancellationToken.None));
        await using var c = await Factory.Services.GetRequiredService<Db>().OpenAsync();
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM knowledge_chunks WHERE document_id = @gone", new { gone }));
    }

    [Fact]
    public async Task A_long_question_ors_only_its_informative_terms()
    {
        var doc = await CreateDocumentAsync(isPublic: false);
        await Index.ReplaceDocumentChunksAsync(doc, await ChunksAsync(doc, "arpeggio", "glissando", "tremolo"), pageCount: 3, CancellationToken.None);

        // "exercise", "practise", "slowly" and "tempo" are in every chunk (no BM25 weight): without selection all three match.
        var hits = await Index.KeywordSearchAsync("Which exercise should I practise slowly, and then at tempo, to get a clean glissando?", 10,
            new SearchScope(_teacher), CancellationToken.None);

        Assert.Single(hits);
        Assert.Equal("glissando", await TopWordAsync(hits));
    }

    [Fact]
    public async Task An_index_built_with_another_model_is_refused()
    {
        var doc = await CreateDocumentAsync(isPublic: false);
        await Index.ReplaceDocumentChunksAsync(doc, await ChunksAsync(doc, "arpeggio"), null, CancellationToken.None);
        await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => Index.InitializeAsync("another-model", Model.Dimensions + 1, CancellationToken.None));
        await Index.InitializeAsync(Model.ModelId, Model.Dimensions, CancellationToken.None);
    }

    private async Task<Guid> CreateDocumentAsync(bool isPublic) =>
        (await Documents.CreateAsync(_teacher, "Study", SourceTypes.Text, isPublic, null, "study.txt", id => KnowledgeFiles.StorageKey(id, "study.txt"),
            CancellationToken.None)).Id;

    /// <summary>One chunk per word, each a sentence built around it, embedded with the configured model.</summary>
    private async Task<List<ChunkRecord>> ChunksAsync(Guid doc, params string[] words)
    {
        var texts = words.Select(w => $"The {w} exercise: practise the {w} slowly, then at tempo.").ToList();
        var vectors = await Model.EmbedPassagesAsync(texts);
        return texts.Select((t, i) => new ChunkRecord(Guid.NewGuid(), doc, i, t, i + 1, i + 1, 0, t.Length, null, Model.CountTokens(t), vectors[i])).ToList();
    }

    private async Task<string> TopWordAsync(IReadOnlyList<RankedChunk> hits)
    {
        var top = Assert.Single(await Index.GetChunksAsync([hits[0].Seq], CancellationToken.None));
        return top.Text.Split(' ')[1];
    }

    private async Task<List<Guid>> DocumentsOfAsync(IReadOnlyList<RankedChunk> hits) =>
        hits.Count == 0 ? [] : (await Index.GetChunksAsync(hits.Select(h => h.Seq).ToList(), CancellationToken.None)).Select(d => d.DocumentId).Distinct().ToList();
}

public sealed class SqliteKnowledgeIndexContractTests : KnowledgeIndexContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tp-index-").FullName;

    protected override Task<ApiFactory> CreateFactoryAsync() => Task.FromResult(ApiFactory.With(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Sqlite",
        ["Database:ConnectionString"] = $"Data Source={Path.Combine(_directory, "index.db")}",
        ["Ingestion:RunWorkers"] = "false",
        ["Search:KeywordSelectionMinChunks"] = "0", // keyword term selection on even for these few chunks
    }));

    protected override Task DisposeDatabaseAsync()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

public sealed class PostgresKnowledgeIndexContractTests : KnowledgeIndexContractTests
{
    private PostgresTestDatabase? _database;

    protected override async Task<ApiFactory> CreateFactoryAsync()
    {
        _database = await PostgresTestDatabases.CreateAsync();
        return ApiFactory.With(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = _database.ConnectionString,
            ["Ingestion:RunWorkers"] = "false",
            ["Search:KeywordSelectionMinChunks"] = "0", // keyword term selection on even for these few chunks
        });
    }

    protected override async Task DisposeDatabaseAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }
}
