using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Ai.Text;
using TeacherPlatform.Ai.VectorIndex;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Evals.Client;
using TeacherPlatform.Evals.Datasets;
using TeacherPlatform.Evals.Hosting;
using TeacherPlatform.Evals.Metrics;

namespace TeacherPlatform.Evals.Commands;

public sealed record ScaleCorpus(int Chunks, int RealChunks, int Sentences, double SentencesPerSecond, double ChunksPerSecond,
    double EmbedSeconds, int FidelitySample, double FidelityMeanCosine, double FidelityMinCosine, double GraphBuildSeconds, long SnapshotBytes,
    string Derivation);

public sealed record ScaleStartup(int Run, double SecondsToHealthy, string? IndexSource, int? IndexVectors, double? IndexLoadMs, bool PageCacheDropped);

public sealed record ScaleBenchResult(ScaleCorpus Corpus, IReadOnlyList<ScaleStartup> Startups, int SearchQuestions, double MeanQuestionWords,
    LatencySummary HybridSearchMs, LatencySummary VectorSearchMs, int RecallQueries, int EfSearch, double RecallAt10, double MinRecallAt10,
    LatencySummary InProcessHnswMs, LatencySummary InProcessExactMs, double LoadAverage);

/// <summary>
/// `scale-bench --chunks 100000 [--data DIR] [--until embed|db|graph] [--sentences 6000]`: a large embedded-mode corpus
/// from real text, then the API's start-up on it (persisted HNSW graph), single-client search latency with distinct
/// real-length questions, and recall@10 of the persisted graph against exact search.
/// <para>
/// Embedding 100 000 chunks with the local model on this machine takes far too long, so the corpus is derived: the real
/// chunks of the pedagogy and gutenberg datasets keep their real embeddings; every other chunk is a run of 3–8 real
/// sentences of those books (consecutive, with one sentence swapped for a random one half of the time), its text the
/// sentences joined and its vector the token-weighted mean of the sentences' real embeddings, normalised. How close that
/// mean is to the real embedding of the joined text is measured on a sample and reported.
/// </para>
/// Stages are cached in the data directory (sentence embeddings, database, snapshot) so the long ones can run separately.
/// </summary>
public static class ScaleBenchCommand
{
    private const string SentencesFile = "scale-sentences.bin", CorpusFile = "scale-corpus.json", DbFile = "teacherplatform.db";
    private static readonly string[] Prefixes =
    [
        "I teach adults in the evening and", "As a parent helping with homework,", "For my exam next month", "Our reading group wondered:",
        "A student asked me today", "Before my lesson on Friday", "Thinking about the chapter we read,", "My colleague and I disagree, so",
        "In preparation for a class discussion", "While revising my notes",
    ];

    private static int _hnswM = 16;

    public static async Task<ScaleBenchResult?> RunAsync(CommandEnv env, CommandArgs args, CancellationToken ct)
    {
        _hnswM = args.Int("m", 16);
        var count = args.Int("chunks", 100_000);
        var data = Path.GetFullPath(args.Get("data", Path.Combine(Path.GetTempPath(), $"tp-scale-{count}")));
        Directory.CreateDirectory(data);
        var until = args.Get("until", "measure");
        var log = env.Out;
        using var model = new LocalArcticEmbeddingModel();

        var corpusPath = Path.Combine(data, CorpusFile);
        ScaleCorpus corpus;
        if (File.Exists(corpusPath) && !args.Flag("rebuild"))
            corpus = JsonSerializer.Deserialize<ScaleCorpus>(await File.ReadAllTextAsync(corpusPath, ct))!;
        else
        {
            var sentences = await EmbedSentencesAsync(data, model, args, log, ct);
            if (until == "embed") return null;
            corpus = await BuildCorpusAsync(env, data, count, model, sentences, args, log, ct);
            await File.WriteAllTextAsync(corpusPath, JsonSerializer.Serialize(corpus), ct);
        }
        if (args.Flag("rebuild-graph"))
        {
            var rows = new List<(int, float[])>();
            await using (var c = new SqliteConnection($"Data Source={Path.Combine(data, DbFile)};Mode=ReadOnly"))
            {
                await c.OpenAsync(ct);
                await using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT seq, embedding FROM knowledge_chunks ORDER BY seq";
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) rows.Add(((int)reader.GetInt64(0), MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1)).ToArray()));
            }
            var seconds = BuildGraph(data, model, rows, rows.Count, log);
            corpus = corpus with { GraphBuildSeconds = Math.Round(seconds, 1), SnapshotBytes = new FileInfo(Path.Combine(data, SqliteKnowledgeIndex.SnapshotFileName)).Length };
            await File.WriteAllTextAsync(corpusPath, JsonSerializer.Serialize(corpus), ct);
        }
        if (until is "db" or "graph") return null;
        if (args.Flag("recall-only"))
        {
            await RecallSweepAsync(data, model, corpus.RealChunks + 1, args.Ints("ef", 100, 200, 400, 800), log, ct);
            return null;
        }

        // Start-up: the API on the data directory, three times (the first with the page cache dropped when allowed).
        var startups = new List<ScaleStartup>();
        var serverEnv = new Dictionary<string, string> { ["Logging__LogLevel__TeacherPlatform.Ai.Retrieval.SqliteKnowledgeIndex"] = "Information" };
        ServerProcess? server = null;
        for (var run = 1; run <= 3; run++)
        {
            if (server is not null) await server.DisposeAsync();
            var dropped = run == 1 && TryDropPageCache();
            var sw = Stopwatch.StartNew();
            server = await ServerProcess.StartAsync(serverEnv, log, ct, data);
            var seconds = sw.Elapsed.TotalSeconds;
            var line = (await File.ReadAllLinesAsync(server.LogPath, ct)).Select(l => LoadLine.Match(l)).FirstOrDefault(m => m.Success);
            var startup = new ScaleStartup(run, Math.Round(seconds, 2), line?.Groups["source"].Value, line is null ? null : int.Parse(line.Groups["count"].Value),
                line is null ? null : double.Parse(line.Groups["ms"].Value), dropped);
            log.WriteLine($"scale-bench: start-up {run}: healthy after {startup.SecondsToHealthy:0.00} s; index {startup.IndexSource} " +
                          $"({startup.IndexVectors} vectors in {startup.IndexLoadMs} ms); page cache dropped: {dropped}");
            startups.Add(startup);
        }

        // Single-client search with distinct real-length questions (never repeated, so no cache answers).
        var longQuestions = (await File.ReadAllLinesAsync("evals/datasets/pedagogy/questions-long.txt", ct)).Where(l => l.Trim().Length > 0).ToArray();
        string Ask(int i) => $"{Prefixes[i / longQuestions.Length % Prefixes.Length]} {longQuestions[i % longQuestions.Length]}";
        var perMode = Math.Min(args.Int("questions", 200), longQuestions.Length * Prefixes.Length / 2);
        LatencySummary hybrid, vector;
        try
        {
            var http = new TeacherPlatformClient(new HttpClient { BaseAddress = server!.BaseUrl, Timeout = TimeSpan.FromSeconds(60) });
            await http.RegisterOrLoginAsync("scale-student@example.com", Accounts.Password, "Scale Student", "student", ct);
            for (var i = 0; i < 5; i++) await http.SearchAsync(new SearchRequest($"warm-up question number {i} about practice", 8, "hybrid", null), ct);
            async Task<LatencySummary> Measure(string mode, int offset)
            {
                var ms = new List<double>();
                for (var i = 0; i < perMode; i++)
                {
                    var sw = Stopwatch.StartNew();
                    await http.SearchAsync(new SearchRequest(Ask(offset + i), 8, mode, null), ct);
                    ms.Add(sw.Elapsed.TotalMilliseconds);
                }
                return Percentiles.Summarize(ms);
            }
            hybrid = await Measure("hybrid", 0);
            vector = await Measure("vector", perMode);
        }
        finally { await server!.DisposeAsync(); }
        var words = Enumerable.Range(0, perMode * 2).Average(i => Ask(i).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        log.WriteLine($"scale-bench: search over HTTP, {perMode} distinct questions per mode (mean {words:0.0} words): " +
                      $"hybrid p50 {hybrid.P50:0.0} ms p95 {hybrid.P95:0.0} ms; vector p50 {vector.P50:0.0} ms p95 {vector.P95:0.0} ms");

        // Recall@10 of the persisted graph (the file the API loads) against exact search, with real question embeddings.
        var (graph, exact, recallQuestions, _) = await LoadForRecallAsync(data, model, ct);
        using var __ = graph;
        using var ___ = exact;
        var efSearch = new SearchOptions().EfSearch;
        var recalls = new List<double>();
        var hnswMs = new List<double>();
        var exactMs = new List<double>();
        foreach (var q in recallQuestions)
        {
            var qv = await model.EmbedQueryAsync(q, ct);
            var sw = Stopwatch.StartNew();
            var truth = exact.Search(qv, 10).Select(h => h.Key).ToArray();
            exactMs.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            var approx = graph.Search(qv, 10, efSearch: efSearch).Select(h => h.Key).ToArray();
            hnswMs.Add(sw.Elapsed.TotalMilliseconds);
            recalls.Add(RankingMetrics.OverlapRecall(approx, truth, 10));
        }
        log.WriteLine($"scale-bench: recall@10 vs exact over {recallQuestions.Count} real questions at ef_search={efSearch}: " +
                      $"mean {recalls.Average():0.0000}, min {recalls.Min():0.00}; in-process HNSW p50 {Percentiles.Summarize(hnswMs).P50:0.00} ms " +
                      $"p95 {Percentiles.Summarize(hnswMs).P95:0.00} ms, exact p50 {Percentiles.Summarize(exactMs).P50:0.00} ms");

        var result = new ScaleBenchResult(corpus, startups, perMode * 2, Math.Round(words, 1), hybrid, vector, recallQuestions.Count, efSearch,
            Math.Round(recalls.Average(), 4), Math.Round(recalls.Min(), 2), Percentiles.Summarize(hnswMs), Percentiles.Summarize(exactMs), LoadAverage());
        var notes = new List<string>
        {
            $"Corpus: {corpus.Derivation}",
            $"Fidelity of the derived vectors: cosine(token-weighted mean of sentence embeddings, real embedding of the joined text) over {corpus.FidelitySample} sampled chunks: mean {corpus.FidelityMeanCosine:0.000}, min {corpus.FidelityMinCosine:0.000}.",
            "Start-up = process start to the first 200 from /api/health (the index is loaded before the server listens).",
            $"Machine: {Environment.ProcessorCount} cores, shared with other agents (load average {result.LoadAverage:0.0} at the end).",
        };
        env.Save("scale-bench", args, null, result, notes);
        return result;
    }

    /// <summary>recall@10 of the persisted graph against exact search over a range of ef_search values (diagnostics).</summary>
    private static async Task RecallSweepAsync(
        string data, LocalArcticEmbeddingModel model, int firstDerivedSeq, IReadOnlyList<int> efs, TextWriter log, CancellationToken ct)
    {
        var (graph, exact, questions, all) = await LoadForRecallAsync(data, model, ct);
        using var _ = graph;
        using var __ = exact;
        var qv = new List<float[]>();
        foreach (var q in questions) qv.Add(await model.EmbedQueryAsync(q, ct));
        var truth = qv.Select(v => exact.Search(v, 10)).ToArray();
        // How concentrated the corpus is: mean cosine of random pairs among the real chunks and among the derived ones.
        var rnd = new Random(3);
        double PairCos(int lo, int hi) => Enumerable.Range(0, 2000).Average(_ => TensorPrimitives.Dot(all[rnd.Next(lo, hi)], all[rnd.Next(lo, hi)]));
        log.WriteLine($"  mean pair cosine: real chunks {PairCos(1, firstDerivedSeq):0.000}, derived {PairCos(firstDerivedSeq, all.Count + 1):0.000}; query top-1 {truth.Average(t => t[0].Score):0.000}, top-10 {truth.Average(t => t[^1].Score):0.000}");
        foreach (var ef in efs)
        {
            var recalls = qv.Select((v, i) => RankingMetrics.OverlapRecall(graph.Search(v, 10, efSearch: ef).Select(h => h.Key).ToArray(), truth[i].Select(h => h.Key).ToArray(), 10)).ToArray();
            // Score-based: an approximate hit counts when it scores at least the exact 10th (ties among near-duplicates).
            var scoreRecall = qv.Select((v, i) => graph.Search(v, 10, efSearch: ef).Count(h => h.Score >= truth[i][^1].Score - 1e-6) / 10.0).ToArray();
            log.WriteLine($"  ef={ef,4}: recall@10 {recalls.Average():0.0000} (min {recalls.Min():0.00}, {recalls.Count(r => r < 0.5)} below 0.5); by score {scoreRecall.Average():0.0000}");
            // Where the misses are: the real chunks (seq below the first derived one) keep real embeddings, which are
            // spread far wider than the derived ones, so a question's true neighbours are often a handful of them.
            double RealShare(IEnumerable<int> idx) => idx.Select(i => truth[i].Count(h => h.Key < firstDerivedSeq) / 10.0).DefaultIfEmpty(0).Average();
            var low = Enumerable.Range(0, qv.Count).Where(i => recalls[i] < 0.5).ToArray();
            var rest = Enumerable.Range(0, qv.Count).Where(i => recalls[i] >= 0.5).ToArray();
            log.WriteLine($"    share of real chunks in the exact top-10: {RealShare(low):0.00} for the {low.Length} questions below 0.5, {RealShare(rest):0.00} for the others");
        }
    }

    private static async Task<(InProcessVectorIndex Graph, ExactVectorIndex Exact, List<string> Questions, Dictionary<int, float[]> All)> LoadForRecallAsync(string data, LocalArcticEmbeddingModel model, CancellationToken ct)
    {
        var longQuestions = (await File.ReadAllLinesAsync("evals/datasets/pedagogy/questions-long.txt", ct)).Where(l => l.Trim().Length > 0);
        var questions = longQuestions
            .Concat(Dataset.Load("evals/datasets/pedagogy").Questions.Select(q => q.Text))
            .Concat(Dataset.Load("evals/datasets/gutenberg").Questions.Select(q => q.Text)).Distinct().ToList();
        var options = new InProcessVectorIndexOptions(HnswThreshold: new SearchOptions().ExactSearchThreshold, Hnsw: new HnswOptions(M: _hnswM, EfSearch: new SearchOptions().EfSearch));
        var read = VectorIndexSnapshot.TryRead(Path.Combine(data, SqliteKnowledgeIndex.SnapshotFileName), model.ModelId, model.Dimensions, options);
        var graph = read.Index ?? throw new InvalidOperationException($"snapshot unusable: {read.Problem}");
        var exact = new ExactVectorIndex(model.Dimensions);
        await using var c = new SqliteConnection($"Data Source={Path.Combine(data, DbFile)};Mode=ReadOnly");
        await c.OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT seq, embedding FROM knowledge_chunks";
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var all = new Dictionary<int, float[]>();
        while (await reader.ReadAsync(ct))
        {
            var v = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1)).ToArray();
            exact.Upsert((int)reader.GetInt64(0), v);
            all[(int)reader.GetInt64(0)] = v;
        }
        return (graph, exact, questions, all);
    }

    private static readonly Regex LoadLine = new(@"Vector index (?<source>\w+) with (?<count>\d+) chunk vectors .*? in (?<ms>\d+) ms", RegexOptions.Compiled);

    private sealed record EmbeddedSentences(string[] Texts, int[] Tokens, float[][] Vectors, string[][] Chunks, int[][] ChunkSentences,
        float[][] ChunkVectors, double SentencesPerSecond, double ChunksPerSecond, double Seconds);

    /// <summary>The datasets' real chunks and their sentences, embedded with the real model (cached in the data directory).</summary>
    private static async Task<EmbeddedSentences> EmbedSentencesAsync(string data, LocalArcticEmbeddingModel model, CommandArgs args, TextWriter log, CancellationToken ct)
    {
        var chunks = new List<string>();
        foreach (var name in new[] { "pedagogy", "gutenberg" })
            chunks.AddRange(await CorpusChunks.ExtractAsync(Dataset.Load($"evals/datasets/{name}"), model.CountTokens, ct));
        var sentenceIds = new Dictionary<string, int>();
        var chunkSentences = new List<int[]>();
        foreach (var chunk in chunks)
        {
            var ids = new List<int>();
            foreach (var (start, end) in SentenceSplitter.Split(chunk, 0, chunk.Length))
            {
                var s = chunk[start..end].ReplaceLineEndings(" ").Trim();
                if (s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 4) continue;
                if (!sentenceIds.TryGetValue(s, out var id)) sentenceIds[s] = id = sentenceIds.Count;
                ids.Add(id);
            }
            chunkSentences.Add(ids.ToArray());
        }
        var texts = sentenceIds.OrderBy(kv => kv.Value).Select(kv => kv.Key).Take(args.Int("sentences", 8000)).ToArray();
        var path = Path.Combine(data, SentencesFile);
        if (File.Exists(path))
        {
            var cached = ReadSentences(path, texts.Length, model.Dimensions);
            if (cached is not null)
            {
                log.WriteLine($"scale-bench: {texts.Length} sentence embeddings cached");
                return cached with { Texts = texts, Tokens = texts.Select(model.CountTokens).ToArray(), Chunks = [chunks.ToArray()], ChunkSentences = chunkSentences.ToArray() };
            }
        }

        log.WriteLine($"scale-bench: {chunks.Count} real chunks, {texts.Length} distinct sentences; embedding with {model.ModelId}");
        var sw = Stopwatch.StartNew();
        var chunkVectors = (await model.EmbedPassagesAsync(chunks, ct)).ToArray();
        var chunksPerSecond = chunks.Count / sw.Elapsed.TotalSeconds;
        log.WriteLine($"scale-bench: real chunks embedded at {chunksPerSecond:0.0}/s (all {args.Int("chunks", 100_000)} would take {args.Int("chunks", 100_000) / chunksPerSecond / 60:0} min)");
        var sentenceSw = Stopwatch.StartNew();
        var vectors = new List<float[]>(texts.Length);
        foreach (var batch in texts.Chunk(256))
        {
            vectors.AddRange(await model.EmbedPassagesAsync(batch, ct));
            if (vectors.Count % 2048 == 0) log.WriteLine($"  {vectors.Count}/{texts.Length} sentences ({sentenceSw.Elapsed.TotalSeconds:0} s)");
        }
        var sentencesPerSecond = texts.Length / sentenceSw.Elapsed.TotalSeconds;
        log.WriteLine($"scale-bench: sentences embedded at {sentencesPerSecond:0.0}/s");
        var result = new EmbeddedSentences(texts, texts.Select(model.CountTokens).ToArray(), vectors.ToArray(), [chunks.ToArray()], chunkSentences.ToArray(),
            chunkVectors, sentencesPerSecond, chunksPerSecond, sw.Elapsed.TotalSeconds);
        WriteSentences(path, result);
        return result;
    }

    private static void WriteSentences(string path, EmbeddedSentences s)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write(s.Texts.Length);
        w.Write(s.ChunkVectors.Length);
        w.Write(s.SentencesPerSecond);
        w.Write(s.ChunksPerSecond);
        w.Write(s.Seconds);
        foreach (var v in s.Vectors.Concat(s.ChunkVectors)) w.Write(MemoryMarshal.AsBytes(v.AsSpan()));
    }

    private static EmbeddedSentences? ReadSentences(string path, int sentences, int dims)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        if (r.ReadInt32() != sentences) return null;
        var chunks = r.ReadInt32();
        var (sps, cps, seconds) = (r.ReadDouble(), r.ReadDouble(), r.ReadDouble());
        float[] Next()
        {
            var v = new float[dims];
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(v.AsSpan()));
            return v;
        }
        var vectors = Enumerable.Range(0, sentences).Select(_ => Next()).ToArray();
        var chunkVectors = Enumerable.Range(0, chunks).Select(_ => Next()).ToArray();
        return new EmbeddedSentences([], [], vectors, [], [], chunkVectors, sps, cps, seconds);
    }

    /// <summary>Writes the corpus into a fresh data directory's database and the persisted graph next to it.</summary>
    private static async Task<ScaleCorpus> BuildCorpusAsync(CommandEnv env, string data, int count, LocalArcticEmbeddingModel model, EmbeddedSentences s,
        CommandArgs args, TextWriter log, CancellationToken ct)
    {
        var realChunks = s.Chunks[0];
        var random = new Random(args.Int("seed", 11));
        var texts = new List<string>(count);
        var vectors = new List<float[]>(count);
        var sentenceCount = s.Vectors.Length;
        for (var i = 0; i < realChunks.Length && texts.Count < count; i++)
        {
            texts.Add(realChunks[i]);
            vectors.Add(s.ChunkVectors[i]);
        }
        var seen = new HashSet<string>();
        var derived = new List<int[]>();
        while (texts.Count < count)
        {
            var length = random.Next(3, 9);
            var start = random.Next(0, sentenceCount - length);
            var ids = Enumerable.Range(start, length).ToArray();
            if (random.Next(2) == 0) ids[random.Next(length)] = random.Next(sentenceCount);
            if (!seen.Add(string.Join(',', ids))) continue;
            texts.Add(string.Join(' ', ids.Select(id => s.Texts[id])));
            var v = new float[model.Dimensions];
            foreach (var id in ids) TensorPrimitives.MultiplyAdd(s.Vectors[id], s.Tokens[id], v, v);
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            vectors.Add(v);
            derived.Add(ids);
        }

        // Fidelity: the real embedding of a sample of derived texts against the derived vector.
        var sample = Enumerable.Range(realChunks.Length, Math.Min(args.Int("fidelity-sample", 128), count - realChunks.Length))
            .Select(_ => random.Next(realChunks.Length, count)).Distinct().ToArray();
        var real = await model.EmbedPassagesAsync(sample.Select(i => texts[i]).ToList(), ct);
        var cosines = sample.Select((i, j) => (double)TensorPrimitives.Dot(real[j], vectors[i])).ToArray();
        log.WriteLine($"scale-bench: derived vs real embedding over {sample.Length} chunks: mean cosine {cosines.Average():0.000}, min {cosines.Min():0.000}");

        // The schema and a teacher come from the API itself; the rows are then written directly (embedding them through
        // ingestion is what this benchmark cannot afford).
        Guid teacherId;
        await using (var server = await ServerProcess.StartAsync(null, log, ct, data))
        {
            var client = new TeacherPlatformClient(new HttpClient { BaseAddress = server.BaseUrl });
            teacherId = (await client.RegisterOrLoginAsync("scale-teacher@example.com", Accounts.Password, "Scale Teacher", "teacher", ct)).User.Id;
        }
        var sw = Stopwatch.StartNew();
        await using (var c = new SqliteConnection($"Data Source={Path.Combine(data, DbFile)}"))
        {
            await c.OpenAsync(ct);
            await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
            var now = DapperSetup.FormatTimestamp(DateTimeOffset.UtcNow);
            await using var doc = c.CreateCommand();
            doc.CommandText = """
                INSERT INTO knowledge_documents (id, owner_id, title, source_type, is_public, status, chunk_count, page_count, created_at, updated_at, processed_at)
                VALUES ($id, $owner, $title, 'text', 1, 'completed', $chunks, 1, $now, $now, $now)
                """;
            await using var chunk = c.CreateCommand();
            chunk.CommandText = """
                INSERT INTO knowledge_chunks (seq, id, document_id, chunk_index, text, page_number, page_end, start_char, end_char, token_count, embedding)
                VALUES ($seq, $id, $doc, $index, $text, 1, 1, 0, $len, $tokens, $embedding)
                """;
            const int perDocument = 100;
            for (var i = 0; i < count; i++)
            {
                var documentId = DocumentId(i / perDocument);
                if (i % perDocument == 0)
                {
                    doc.Parameters.Clear();
                    doc.Parameters.AddWithValue("$id", documentId.ToString("D"));
                    doc.Parameters.AddWithValue("$owner", teacherId.ToString("D"));
                    doc.Parameters.AddWithValue("$title", $"Scale corpus part {i / perDocument + 1}");
                    doc.Parameters.AddWithValue("$chunks", Math.Min(perDocument, count - i));
                    doc.Parameters.AddWithValue("$now", now);
                    await doc.ExecuteNonQueryAsync(ct);
                }
                chunk.Parameters.Clear();
                chunk.Parameters.AddWithValue("$seq", i + 1);
                chunk.Parameters.AddWithValue("$id", Guid.CreateVersion7().ToString("D"));
                chunk.Parameters.AddWithValue("$doc", documentId.ToString("D"));
                chunk.Parameters.AddWithValue("$index", i % perDocument);
                chunk.Parameters.AddWithValue("$text", texts[i]);
                chunk.Parameters.AddWithValue("$len", texts[i].Length);
                chunk.Parameters.AddWithValue("$tokens", Math.Min(model.CountTokens(texts[i]), model.MaxTokens));
                chunk.Parameters.AddWithValue("$embedding", MemoryMarshal.AsBytes(vectors[i].AsSpan()).ToArray());
                await chunk.ExecuteNonQueryAsync(ct);
            }
            await using var meta = c.CreateCommand();
            meta.CommandText = "INSERT INTO index_meta (key, value) VALUES ('chunks_version', '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1";
            await meta.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        log.WriteLine($"scale-bench: {count} chunks written to SQLite in {sw.Elapsed.TotalSeconds:0.0} s");

        // The graph the API would build at its first start, built here once and saved where the API looks for it.
        var buildSeconds = BuildGraph(data, model, Enumerable.Range(0, count).Select(i => (i + 1, vectors[i])), count, log);
        var snapshot = Path.Combine(data, SqliteKnowledgeIndex.SnapshotFileName);

        var derivation = $"{realChunks.Length} real chunks of the pedagogy and gutenberg datasets with their real embeddings; " +
                         $"{count - realChunks.Length} derived chunks, each 3–8 consecutive real sentences of those books (one swapped for a random " +
                         $"sentence half of the time) from {sentenceCount} distinct sentences embedded with {model.ModelId}; a derived chunk's vector is " +
                         "the token-weighted mean of its sentences' real embeddings, normalised.";
        return new ScaleCorpus(count, realChunks.Length, sentenceCount, Math.Round(s.SentencesPerSecond, 1), Math.Round(s.ChunksPerSecond, 1),
            Math.Round(s.Seconds, 1), sample.Length, Math.Round(cosines.Average(), 4), Math.Round(cosines.Min(), 4), Math.Round(buildSeconds, 1),
            new FileInfo(snapshot).Length, derivation);
    }

    /// <summary>Inserts in key order with the API's default options (as its rebuild does) and writes the snapshot.</summary>
    private static double BuildGraph(string data, LocalArcticEmbeddingModel model, IEnumerable<(int Key, float[] Vector)> rows, int count, TextWriter log)
    {
        var sw = Stopwatch.StartNew();
        var search = new SearchOptions();
        using var index = new InProcessVectorIndex(model.Dimensions, new InProcessVectorIndexOptions(HnswThreshold: search.ExactSearchThreshold,
            Hnsw: new HnswOptions(M: _hnswM, EfSearch: search.EfSearch)));
        var done = 0;
        foreach (var (key, vector) in rows)
        {
            index.Upsert(key, vector);
            if (++done % 20_000 == 0) log.WriteLine($"  graph {done}/{count} ({sw.Elapsed.TotalSeconds:0} s)");
        }
        var buildSeconds = sw.Elapsed.TotalSeconds;
        var snapshot = Path.Combine(data, SqliteKnowledgeIndex.SnapshotFileName);
        VectorIndexSnapshot.Write(snapshot, model.ModelId, 1, index);
        log.WriteLine($"scale-bench: HNSW graph built in {buildSeconds:0} s; snapshot {new FileInfo(snapshot).Length / 1e6:0} MB");
        return buildSeconds;
    }

    private static Guid DocumentId(int i) => new($"5ca1e000-0000-7000-8000-{i:x12}");

    private static bool TryDropPageCache()
    {
        try
        {
            File.WriteAllText("/proc/sys/vm/drop_caches", "1");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
    }

    private static double LoadAverage() =>
        double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : double.NaN;
}
