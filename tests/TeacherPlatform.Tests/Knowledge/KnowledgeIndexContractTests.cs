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

    protected Guid Teacher => _teacher;

    protected ApiFactory Factory => _factory ?? throw new InvalidOperationException("Not initialised.");
    protected IKnowledgeIndex Index => Factory.Services.GetRequiredService<IKnowledgeIndex>();
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
    public async Task A_visible_keyword_match_is_found_below_hundreds_of_better_matches_the_viewer_may_not_see()
    {
        // Hundreds of strong matches in the teacher's private document, and one weak match in a public one: the
        // student's search must still find the public chunk, however far below the private ones it ranks overall.
        var hidden = await CreateDocumentAsync(isPublic: false);
        var shared = await CreateDocumentAsync(isPublic: true);
        var unit = new float[Model.Dimensions];
        unit[0] = 1;
        var strong = Enumerable.Range(0, 260).Select(i => $"Arpeggio drill {i}: arpeggio, arpeggio, arpeggio.").ToArray();
        await Index.ReplaceDocumentChunksAsync(hidden,
            strong.Select((t, i) => new ChunkRecord(Guid.NewGuid(), hidden, i, t, 1, 1, 0, t.Length, null, Model.CountTokens(t), unit)).ToList(),
            null, CancellationToken.None);
        await Index.ReplaceDocumentChunksAsync(shared, await TextChunksAsync(shared,
            "A long paragraph about hand position, wrist height, finger curvature, posture at the bench and, once, the arpeggio."),
            null, CancellationToken.None);

        var forStudent = await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(_student), CancellationToken.None);
        Assert.Equal([shared], await DocumentsOfAsync(forStudent));
        var forTeacher = await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(_teacher), CancellationToken.None);
        Assert.Equal(10, forTeacher.Count);
        Assert.Equal([hidden], await DocumentsOfAsync(forTeacher));
        Assert.True(forTeacher.Zip(forTeacher.Skip(1)).All(p => p.First.Score >= p.Second.Score), "keyword hits are best first");
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
        Assert.Equal([mine], await DocumentsOfAsync(await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(_teacher, [mine]), CancellationToken.None)));
        Assert.Equal([shared], await DocumentsOfAsync(await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(_student, [mine, shared]), CancellationToken.None)));
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
    public async Task Searches_while_a_document_is_rewritten_and_another_forgotten_never_fail_and_see_only_visible_chunks()
    {
        // The in-process index's key → document map is read by every vector search and written by every ingest and
        // delete; a search running meanwhile must neither fail nor return the chunks of a document the viewer may not see.
        var rewritten = await CreateDocumentAsync(isPublic: true);
        var hidden = await CreateDocumentAsync(isPublic: false);
        var random = new Random(7);
        List<ChunkRecord> Chunks(Guid doc, int count) => Enumerable.Range(0, count).Select(i =>
        {
            var v = Enumerable.Range(0, Model.Dimensions).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            var text = $"Etude {i} for the left hand.";
            return new ChunkRecord(Guid.NewGuid(), doc, i, text, 1, 1, 0, text.Length, null, Model.CountTokens(text), v.Select(x => x / norm).ToArray());
        }).ToList();
        var query = await Model.EmbedQueryAsync("left hand etude");
        var student = new SearchScope(_student);
        var hiddenBatches = Enumerable.Range(0, 8).Select(_ => Chunks(hidden, 100)).ToList();
        var rewrittenBatches = Enumerable.Range(0, 8).Select(_ => Chunks(rewritten, 100)).ToList();

        var writing = Task.Run(async () =>
        {
            for (var round = 0; round < 8; round++)
            {
                await Index.ReplaceDocumentChunksAsync(hidden, hiddenBatches[round], null, CancellationToken.None);
                await Index.ReplaceDocumentChunksAsync(rewritten, rewrittenBatches[round], null, CancellationToken.None);
                Index.ForgetDocument(hidden);
            }
        });
        var searches = 0;
        var seen = new HashSet<long>();
        while (!writing.IsCompleted || searches < 20)
        {
            var hits = await Index.VectorSearchAsync(query, 50, student, null, CancellationToken.None);
            foreach (var hit in hits) seen.Add(hit.Seq);
            searches++;
        }
        await writing;

        var documents = (await Index.GetChunksAsync(seen.ToList(), CancellationToken.None)).Select(c => c.DocumentId).ToHashSet();
        Assert.DoesNotContain(hidden, documents);
        Assert.True(searches >= 20);
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

    /// <summary>
    /// Both providers rank keywords as SQLite's FTS5 does, score for score: the same tokens (no stop words — "under",
    /// "before", "each" and "up" are PostgreSQL 'english' stop words — and Porter stems: "gently" is "gentli", not
    /// Snowball's "gentl", so it does not match "gentle"), and BM25 with FTS5's statistics. The reference is an in-memory
    /// FTS5 table with the same texts and the same term selection.
    /// </summary>
    [Fact]
    public async Task Keyword_ranking_is_fts5_bm25_over_fts5_tokens()
    {
        string[] texts =
        [
            "Play the scale gently: a gentle touch keeps each shift even.",
            "Pass the thumb under the hand before the shift, never after it.",
            "Move up the keyboard in one motion; the hand follows the thumb, gently.",
            "A gentle, singing tone comes from the weight of the arm.",
            "Gentleness and patience: the scale is learned slowly, hands separately.",
            "Pedal lightly in slow movements.",
            "Count aloud while practising the left hand alone.",
            "Rhythm first, speed later.",
        ];
        var doc = await CreateDocumentAsync(isPublic: false);
        await Index.ReplaceDocumentChunksAsync(doc, await TextChunksAsync(doc, texts), null, CancellationToken.None);
        const string question = "Should I play the scale gently, with the thumb under the hand, before each shift up the keyboard?";

        var hits = await Index.KeywordSearchAsync(question, 10, new SearchScope(_teacher), CancellationToken.None);

        var bySeq = (await Index.GetChunksAsync(hits.Select(h => h.Seq).ToList(), CancellationToken.None)).ToDictionary(d => d.Seq, d => d.Text);
        var expected = Fts5Ranking(texts.Select(t => (t, "")).ToArray(), question, SourceWeight);
        Assert.Equal(expected.Select(e => e.Text), hits.Select(h => bySeq[h.Seq]));
        foreach (var (hit, reference) in hits.Zip(expected)) Assert.Equal(reference.Score, hit.Score, 9);
    }

    [Fact]
    public async Task Keyword_ranking_weighs_the_source_field_as_fts5_bm25_weighs_a_second_column()
    {
        const string tapper = "Music Talks with Children\nThomas Tapper\nTHE HANDS";
        const string wieck = "Piano and Song\nFriedrich Wieck\nCHAPTER IV. THE SCALES";
        (string Text, string Source)[] chunks =
        [
            ("Practise the scale slowly, hands separately, before you add any speed.", wieck),
            ("Slow practice of every scale builds an even touch in both hands.", wieck),
            ("Teaching the hands to obey the thought is called practice.", tapper),
            ("The thought commands; hands trained for years obey it.", tapper),
            ("Pedal lightly in slow movements, and listen for the scales of the bass.", wieck),
            ("Count aloud while practising the left hand alone.", ""),
            ("A teacher sets tasks with a kind severity.", tapper),
        ];
        var doc = await CreateDocumentAsync(isPublic: false);
        await Index.ReplaceDocumentChunksAsync(doc, await TextChunksAsync(doc, chunks.Select(c => c.Text).ToArray(), chunks.Select(c => c.Source).ToArray()),
            null, CancellationToken.None);
        const string question = "How does Tapper define practice in the chapter about the hands, and should scales be slow?";

        var hits = await Index.KeywordSearchAsync(question, 10, new SearchScope(_teacher), CancellationToken.None);

        var bySeq = (await Index.GetChunksAsync(hits.Select(h => h.Seq).ToList(), CancellationToken.None)).ToDictionary(d => d.Seq, d => d.Text);
        var expected = Fts5Ranking(chunks, question, SourceWeight);
        Assert.Equal(expected.Select(e => e.Text), hits.Select(h => bySeq[h.Seq]));
        foreach (var (hit, reference) in hits.Zip(expected)) Assert.Equal(reference.Score, hit.Score, 9);
        // Found through its source field alone: neither "Tapper" nor any other word of the question is in its text.
        Assert.Contains("A teacher sets tasks with a kind severity.", hits.Select(h => bySeq[h.Seq]));
    }

    [Fact]
    public async Task A_quoted_passage_ranks_the_chunk_that_holds_it_first_and_scores_as_an_fts5_phrase()
    {
        (string Text, string Source)[] chunks =
        [
            ("A master plays every piece as carefully as the first; the presence of mind comes from habit.", ""),
            ("Listen to yourself, and play as if in the presence of a master.", ""),
            ("Play for a master as for a friend: presence, patience and a master's calm.", ""),
            ("In the presence of a master, a student should play what he knows best, as if alone.", ""),
            ("The scale is played as if in the presence of a master; and once more as if in the presence of a master.", "As If In The Presence"),
            ("Count aloud while practising the left hand alone.", ""),
        ];
        await IndexTextsAsync(chunks);
        const string question = "My teacher wrote \"play as if in the presence of a master\" on my practice sheet. What does the phrase refer to?";

        var (hits, bySeq) = await KeywordHitsAsync(question);

        var expected = Fts5Ranking(chunks, question, SourceWeight);
        Assert.Equal(expected.Select(e => e.Text), hits.Select(h => bySeq[h.Seq]));
        foreach (var (hit, reference) in hits.Zip(expected)) Assert.Equal(reference.Score, hit.Score, 9);
        // The two chunks that hold the quote lead; those with all its words in another order follow.
        Assert.Equal(new[] { chunks[1].Text, chunks[4].Text }.Order(), hits.Take(2).Select(h => bySeq[h.Seq]).Order());
    }

    [Fact]
    public async Task Other_spellings_the_book_prints_find_its_passages_compounds_hyphens_chapter_numerals_and_national_spellings()
    {
        (string Text, string Source)[] chunks =
        [
            ("Rest the hand on the key-board without pressing; the fore-arm stays loose.", ""),
            ("A key signature of three flats; the board of the instrument is of spruce.", ""),
            ("The wrist must be exercised apart from the fingers, for it carries the whole hand.", "CHAPTER III."),
            ("The wrist is the subject of another chapter, which describes three exercises.", "CHAPTER V."),
            ("Practise the pianoforte every morning before breakfast.", ""),
            ("A keyboard player practises scales on the piano-forte.", ""),
            ("The color of a tone depends on the touch.", ""),
        ];
        await IndexTextsAsync(chunks);

        async Task<List<string>> TextsAsync(string question)
        {
            var (hits, bySeq) = await KeywordHitsAsync(question);
            return hits.Select(h => bySeq[h.Seq]).ToList();
        }

        // "forearm" is in no chunk; "fore-arm" is, and its parts' phrase is what matches it.
        Assert.Equal(chunks[0].Text, (await TextsAsync("Why does my forearm ache?")).First());
        // A word the corpus does write is searched as written: no split ("keyboard" is in a chunk here).
        Assert.Equal([chunks[5].Text], await TextsAsync("keyboard"));
        // A hyphenated spelling in the question also finds the closed-up one ("piano-forte" → "pianoforte").
        Assert.Contains(chunks[4].Text, await TextsAsync("How often should I practise the piano-forte?"));
        // "chapter three" finds the section headed CHAPTER III. first, not the one that merely says "three" or "chapter".
        Assert.Equal(chunks[2].Text, (await TextsAsync("What does chapter three say about the wrist?")).First());
        Assert.Equal(chunks[2].Text, (await TextsAsync("What does the third chapter say about the wrist?")).First());
        // The other national spelling: a British question finds the American book.
        Assert.Equal([chunks[6].Text], await TextsAsync("What gives a tone its colour?"));
        // A numbered part the corpus never writes adds nothing, and alone it finds nothing.
        Assert.Empty(await TextsAsync("chapter 9"));
    }

    /// <summary>One private document of the teacher's, one chunk per text with its source field.</summary>
    private async Task IndexTextsAsync((string Text, string Source)[] chunks)
    {
        var doc = await CreateDocumentAsync(isPublic: false);
        await Index.ReplaceDocumentChunksAsync(doc, await TextChunksAsync(doc, chunks.Select(c => c.Text).ToArray(), chunks.Select(c => c.Source).ToArray()),
            null, CancellationToken.None);
    }

    /// <summary>The teacher's keyword hits for <paramref name="question"/>, and each hit's chunk text.</summary>
    private async Task<(IReadOnlyList<RankedChunk> Hits, Dictionary<long, string> TextBySeq)> KeywordHitsAsync(string question)
    {
        var hits = await Index.KeywordSearchAsync(question, 10, new SearchScope(_teacher), CancellationToken.None);
        var bySeq = (await Index.GetChunksAsync(hits.Select(h => h.Seq).ToList(), CancellationToken.None)).ToDictionary(d => d.Seq, d => d.Text);
        return (hits, bySeq);
    }

    private double SourceWeight => Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SearchOptions>>().Value.KeywordSourceWeight;

    /// <summary>
    /// FTS5's ranking of <paramref name="question"/> over the chunks (text and source field as two columns, bm25 column
    /// weights 1 and <paramref name="sourceWeight"/>), with the index's own term selection.
    /// </summary>
    private static List<(string Text, double Score)> Fts5Ranking((string Text, string Source)[] chunks, string question, double sourceWeight)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        c.Open();
        c.Execute("CREATE VIRTUAL TABLE t USING fts5(x, s, tokenize='porter unicode61 remove_diacritics 2')");
        foreach (var (text, source) in chunks) c.Execute("INSERT INTO t (x, s) VALUES (@text, @source)", new { text, source });
        var plan = KeywordQuery.Select(KeywordQuery.Plan(question),
            term => c.ExecuteScalar<long>("SELECT count(*) FROM t WHERE t MATCH @m", new { m = $"\"{term}\"" }),
            chunks.Length, new SearchOptions().KeywordMaxTerms, new SearchOptions().KeywordMaxDocFraction);
        return c.Query<(string, double)>("SELECT x, -bm25(t, 1.0, @w) AS score FROM t WHERE t MATCH @m ORDER BY score DESC LIMIT 10",
            new { m = plan.Fts5(), w = sourceWeight }).ToList();
    }

    [Fact]
    public async Task An_index_built_with_another_model_is_refused()
    {
        var doc = await CreateDocumentAsync(isPublic: false);
        await Index.ReplaceDocumentChunksAsync(doc, await ChunksAsync(doc, "arpeggio"), null, CancellationToken.None);
        await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => Index.InitializeAsync("another-model", Model.Dimensions + 1, CancellationToken.None));
        await Index.InitializeAsync(Model.ModelId, Model.Dimensions, CancellationToken.None);
    }

    protected async Task<Guid> CreateDocumentAsync(bool isPublic) =>
        (await Documents.CreateAsync(_teacher, "Study", SourceTypes.Text, isPublic, null, "study.txt", id => KnowledgeFiles.StorageKey(id, "study.txt"),
            CancellationToken.None)).Id;

    /// <summary>One chunk per word, each a sentence built around it, embedded with the configured model.</summary>
    private Task<List<ChunkRecord>> ChunksAsync(Guid doc, params string[] words) =>
        TextChunksAsync(doc, words.Select(w => $"The {w} exercise: practise the {w} slowly, then at tempo.").ToArray());

    /// <summary>One chunk per text, embedded with the configured model.</summary>
    protected Task<List<ChunkRecord>> TextChunksAsync(Guid doc, params string[] texts) => TextChunksAsync(doc, texts, null);

    /// <summary>One chunk per text with its source field (the document's title, author and section heading).</summary>
    protected async Task<List<ChunkRecord>> TextChunksAsync(Guid doc, string[] texts, string[]? sources)
    {
        var vectors = await Model.EmbedPassagesAsync(texts);
        return texts.Select((t, i) => new ChunkRecord(Guid.NewGuid(), doc, i, t, i + 1, i + 1, 0, t.Length, null, Model.CountTokens(t), vectors[i],
            sources?[i] ?? "")).ToList();
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

    [Fact]
    public async Task A_small_corpus_keeps_its_full_text_index_in_one_segment_and_every_document_searchable()
    {
        // FTS5 writes at least one segment per document and looks every query term up in each of them.
        var first = await CreateDocumentAsync(isPublic: false);
        var second = await CreateDocumentAsync(isPublic: false);
        await Index.ReplaceDocumentChunksAsync(first, await TextChunksAsync(first, "Arpeggios in contrary motion.", "Scales in thirds."), null, CancellationToken.None);
        await Index.ReplaceDocumentChunksAsync(second, await TextChunksAsync(second, "Pedalling in Chopin nocturnes."), null, CancellationToken.None);
        await Index.ReplaceDocumentChunksAsync(first, await TextChunksAsync(first, "Arpeggios with a rotating wrist."), null, CancellationToken.None);

        await using (var c = await Factory.Services.GetRequiredService<Db>().OpenAsync())
            Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT count(DISTINCT segid) FROM knowledge_chunks_fts_idx"));
        var owner = new SearchScope(Teacher);
        Assert.Single(await Index.KeywordSearchAsync("arpeggios", 10, owner, CancellationToken.None));
        Assert.Single(await Index.KeywordSearchAsync("nocturnes pedalling", 10, owner, CancellationToken.None));
        Assert.Empty(await Index.KeywordSearchAsync("thirds", 10, owner, CancellationToken.None));
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

    /// <summary>Rows indexed before the application wrote the keyword analysis (migration 0008) get it at start-up.</summary>
    [Fact]
    public async Task Chunks_without_keyword_analysis_are_analysed_at_start_up()
    {
        var doc = await CreateDocumentAsync(isPublic: false);
        await Index.ReplaceDocumentChunksAsync(doc, await TextChunksAsync(doc, "Gentle arpeggios.", "Scales in thirds."), null, CancellationToken.None);
        await using (var c = await Factory.Services.GetRequiredService<Db>().OpenAsync())
            await c.ExecuteAsync("UPDATE knowledge_chunks SET tsv = NULL, keyword_length = NULL");
        Assert.Empty(await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(Teacher), CancellationToken.None));

        var model = Factory.Services.GetRequiredService<IEmbeddingModel>();
        await Index.InitializeAsync(model.ModelId, model.Dimensions, CancellationToken.None);

        Assert.Single(await Index.KeywordSearchAsync("arpeggio", 10, new SearchScope(Teacher), CancellationToken.None));
        await using (var c = await Factory.Services.GetRequiredService<Db>().OpenAsync())
            Assert.Equal(new[] { 2L, 3L }, (await c.QueryAsync<long>("SELECT keyword_length FROM knowledge_chunks ORDER BY seq")).ToArray());
    }
}
