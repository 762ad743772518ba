using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Embeddings.Quantization;
using Xunit.Abstractions;

namespace TeacherPlatform.UnitTests.Embeddings;

/// <summary>The packaged fp32 model and the fp32 and int8 encoders, loaded once for the class.</summary>
public sealed class QuantizedArcticFixture : IDisposable
{
    public byte[] Source { get; } = LocalArcticEmbeddingModel.ReadPackagedModel();
    public LocalArcticEmbeddingModel Fp32 { get; } = new(new LocalEmbeddingOptions(IntraOpThreads: 2, QueryPrecision: EmbeddingPrecision.Fp32));
    public LocalArcticEmbeddingModel Int8 { get; } = new(new LocalEmbeddingOptions(IntraOpThreads: 2, Precision: EmbeddingPrecision.Int8));
    /// <summary>fp32 passages, int8 queries: the default.</summary>
    public LocalArcticEmbeddingModel Asymmetric { get; } = new(new LocalEmbeddingOptions(IntraOpThreads: 2));

    public void Dispose()
    {
        Fp32.Dispose();
        Int8.Dispose();
        Asymmetric.Dispose();
    }
}

[Collection(CpuHeavyCollection.Name)]
public sealed class OnnxDynamicQuantizerTests(QuantizedArcticFixture fixture, ITestOutputHelper output) : IClassFixture<QuantizedArcticFixture>
{
    private const int Int8 = 3, Float = 1;

    [Fact]
    public void Every_weight_matmul_becomes_an_int8_DynamicQuantizeMatMul_and_activation_matmuls_stay_float()
    {
        var source = OnnxDynamicQuantizer.Inspect(fixture.Source);
        var quantized = OnnxDynamicQuantizer.Quantize(fixture.Source, out var summary);
        var graph = OnnxDynamicQuantizer.Inspect(quantized);
        var initializers = graph.Initializers.ToDictionary(i => i.Name);
        var sourceInitializers = source.Initializers.ToDictionary(i => i.Name);

        // arctic-embed-xs: 6 layers × (Q, K, V, attention output, FFN in, FFN out) weight matrices; 6 × 2 score/context MatMuls.
        Assert.Equal(new QuantizationSummary(36, 12, summary.FloatWeightBytes, summary.QuantizedWeightBytes), summary);
        Assert.True(summary.QuantizedWeightBytes < summary.FloatWeightBytes / 3.5, $"{summary}");
        Assert.Contains(OnnxDynamicQuantizer.MicrosoftDomain, graph.OpsetDomains);

        var dq = graph.Nodes.Where(n => n.OpType == OnnxDynamicQuantizer.QuantizedOp).ToList();
        Assert.Equal(36, dq.Count);
        foreach (var node in dq)
        {
            Assert.Equal(OnnxDynamicQuantizer.MicrosoftDomain, node.Domain);
            Assert.Equal(3, node.Inputs.Count);
            var weight = initializers[node.Inputs[1]];
            var scale = initializers[node.Inputs[2]];
            Assert.Equal(Int8, weight.DataType);
            Assert.Equal(2, weight.Dims.Count);
            Assert.Equal(Float, scale.DataType);
            Assert.Equal([weight.Dims[1]], scale.Dims); // one scale per output column
            Assert.False(initializers.ContainsKey(node.Inputs[1].Replace("_quantized", "")), "the float weight is dropped");
            Assert.Equal(sourceInitializers[node.Inputs[1].Replace("_quantized", "")].Dims, weight.Dims);
        }
        // The MatMuls left are between activations (Q·Kᵀ, scores·V): no initializer on either side.
        Assert.All(graph.Nodes.Where(n => n.OpType == "MatMul"), n => Assert.DoesNotContain(n.Inputs, initializers.ContainsKey));
        // Nothing else changed: same nodes otherwise, same outputs wired.
        Assert.Equal(source.Nodes.Count, graph.Nodes.Count);
        Assert.Equal(source.Nodes.SelectMany(n => n.Outputs), graph.Nodes.SelectMany(n => n.Outputs));
        Assert.Equal(quantized, OnnxDynamicQuantizer.Quantize(fixture.Source, out _)); // deterministic
    }

    [Fact]
    public void Columns_are_quantised_symmetrically_with_their_own_scale()
    {
        // 3 × 3, row-major: column 0 small, column 1 large, column 2 all zero.
        float[] w = [0.012f, -2f, 0f, -0.02f, 1.1f, 0f, 0.005f, 0.5f, 0f];
        var (q, scales) = OnnxDynamicQuantizer.QuantizeColumns(w, 3, 3);

        Assert.Equal(0.02f / 127, scales[0], 6);
        Assert.Equal(2f / 127, scales[1], 6);
        Assert.Equal(1f, scales[2]);
        Assert.Equal([76, -127, 0, -127, 70, 0, 32, 32, 0], q.Select(v => (int)v));
        for (var i = 0; i < w.Length; i++) Assert.True(MathF.Abs(q[i] * scales[i % 3] - w[i]) <= scales[i % 3] / 2 + 1e-7f);
    }

    [Fact]
    public async Task Int8_embeddings_of_real_text_stay_within_0_99_cosine_of_fp32()
    {
        Assert.Equal("snowflake-arctic-embed-xs-int8-sq", fixture.Int8.ModelId);
        Assert.Equal(384, fixture.Int8.Dimensions);
        var queries = Questions.Select(q => q.Query).ToList();
        var passages = Questions.Select(q => q.Passage).ToList();
        var cosines = new List<float>();
        foreach (var query in queries)
        {
            var fp32 = await fixture.Fp32.EmbedQueryAsync(query);
            var int8 = await fixture.Int8.EmbedQueryAsync(query);
            cosines.Add(TensorPrimitives.Dot(fp32, int8));
        }
        var fp = await fixture.Fp32.EmbedPassagesAsync(passages);
        var i8 = await fixture.Int8.EmbedPassagesAsync(passages);
        cosines.AddRange(fp.Zip(i8, (a, b) => TensorPrimitives.Dot(a, b)));
        output.WriteLine($"cosine fp32 vs int8: min {cosines.Min():F4}, mean {cosines.Average():F4}");
        Assert.All(i8, v => Assert.Equal(1f, TensorPrimitives.Norm(v), 3));
        Assert.All(cosines, c => Assert.InRange(c, 0.99f, 1.0001f));
        Assert.NotEqual(fp[0], i8[0]); // it is really another model
    }

    [Fact]
    public async Task Int8_ranks_passages_for_real_questions_as_fp32_does()
    {
        var passages = await fixture.Int8.EmbedPassagesAsync(Questions.Select(q => q.Passage).ToList());
        var fpPassages = await fixture.Fp32.EmbedPassagesAsync(Questions.Select(q => q.Passage).ToList());
        for (var i = 0; i < Questions.Length; i++)
        {
            var q8 = await fixture.Int8.EmbedQueryAsync(Questions[i].Query);
            var q32 = await fixture.Fp32.EmbedQueryAsync(Questions[i].Query);
            var order8 = Rank(q8, passages);
            var order32 = Rank(q32, fpPassages);
            output.WriteLine($"{i}: int8 {string.Join(",", order8)} fp32 {string.Join(",", order32)}");
            Assert.Equal(i, order32[0]);
            Assert.Equal(i, order8[0]); // its own passage first, as with fp32
            // Every query–passage similarity moves by less than 0.02: near-ties among unrelated passages may swap, nothing more.
            for (var p = 0; p < passages.Count; p++)
                Assert.True(MathF.Abs(TensorPrimitives.Dot(q8, passages[p]) - TensorPrimitives.Dot(q32, fpPassages[p])) < 0.02f, $"query {i}, passage {p}");
        }
    }

    [Fact]
    public async Task The_asymmetric_mode_embeds_passages_with_fp32_and_queries_with_int8()
    {
        // The index keeps fp32's id and vectors; only the query side runs on the int8 copy, and says so.
        Assert.Equal(LocalArcticEmbeddingModel.Id, fixture.Asymmetric.ModelId);
        Assert.Equal(LocalArcticEmbeddingModel.Int8Id, fixture.Asymmetric.QueryModelId);
        Assert.Equal(fixture.Fp32.ModelId, ((IEmbeddingModel)fixture.Fp32).QueryModelId);
        var passages = Questions.Select(q => q.Passage).ToList();
        var fpPassages = await fixture.Fp32.EmbedPassagesAsync(passages);
        Assert.Equal(fpPassages, await fixture.Asymmetric.EmbedPassagesAsync(passages));
        for (var i = 0; i < Questions.Length; i++)
        {
            var asymmetric = await fixture.Asymmetric.EmbedQueryAsync(Questions[i].Query);
            Assert.Equal(await fixture.Int8.EmbedQueryAsync(Questions[i].Query), asymmetric);
            var q32 = await fixture.Fp32.EmbedQueryAsync(Questions[i].Query);
            Assert.InRange(TensorPrimitives.Dot(q32, asymmetric), 0.998f, 1.0001f);
            Assert.Equal(i, Rank(asymmetric, fpPassages)[0]); // its own passage first among the fp32 passages
        }
    }

    [Fact]
    public async Task An_int8_query_vector_barely_depends_on_the_micro_batch_it_ran_in()
    {
        // DynamicQuantizeMatMul takes one activation scale for the whole batch, so a query's int8 vector depends a little
        // on the queries (and padding) batched with it; fp32's does not. Cached query vectors are whichever batch came first.
        var questions = Questions.Select(q => q.Query).Concat(CalibrationText.Questions).ToList();
        var alone = new List<float[]>();
        foreach (var q in questions) alone.Add(await fixture.Asymmetric.EmbedQueryAsync(q));
        var batched = await Task.WhenAll(questions.Select(q => fixture.Asymmetric.EmbedQueryAsync(q).AsTask()));
        var cosines = alone.Zip(batched, (a, b) => TensorPrimitives.Dot(a, b)).ToList();
        output.WriteLine($"int8 query alone vs batched: min cosine {cosines.Min():F5}, mean {cosines.Average():F5} over {cosines.Count}");
        Assert.All(cosines, c => Assert.InRange(c, 0.998f, 1.0001f));
    }

    [Fact]
    public void Smoothing_factors_are_powers_of_two_that_balance_activation_and_weight_ranges()
    {
        // s = |X|^α / |W|^(1−α): α 0.5, |X| 16, |W| 0.25 → 4 / 0.5 = 8; |X| 1, |W| 1 → 1; unseen channel or zero weights → 1.
        var s = OnnxDynamicQuantizer.SmoothingFactors([16f, 1f, 0f, 3f, 30f], [0.25f, 1f, 0.5f, 0f, 0.3f], 0.5f);
        Assert.Equal([8f, 1f, 1f, 1f, 8f], s); // √30/√0.3 = 10 → 2^round(log2 10) = 8
        Assert.All(s, v => Assert.Equal(v, MathF.Pow(2, MathF.Round(MathF.Log2(v)))));
    }

    [Fact]
    public void Smoothing_leaves_the_float_graph_computing_what_the_source_does()
    {
        var maxima = LocalArcticEmbeddingModel.MeasureActivationMaxima(fixture.Source, fixture.Fp32.Tokenizer, CalibrationText.Passages);
        // Smoothed where SmoothQuant applies: the LayerNorm outputs that feed Q/K/V and the FFN's first projection.
        Assert.Equal(12, maxima.Count);
        Assert.All(maxima.Keys, k => Assert.Contains("LayerNorm", k));
        Assert.All(maxima.Values, v => Assert.Equal(384, v.Length));
        var smoothed = OnnxDynamicQuantizer.Quantize(fixture.Source, new SmoothingOptions(maxima, 0.7f, QuantizeWeights: false), out var summary);
        Assert.Equal(12, summary.ActivationsSmoothed);
        var graph = OnnxDynamicQuantizer.Inspect(smoothed);
        Assert.Equal(12, graph.Nodes.Count(n => n.OpType == "Mul" && n.Inputs[1].EndsWith("_smooth_inv", StringComparison.Ordinal)));

        using var source = new InferenceSession(fixture.Source);
        using var rewritten = new InferenceSession(smoothed);
        foreach (var text in Questions.Select(q => LocalArcticEmbeddingModel.QueryPrefix + q.Query).Concat(Questions.Select(q => q.Passage)))
        {
            var expected = Hidden(source, text);
            var actual = Hidden(rewritten, text);
            // Power-of-two factors: scaling is exact, only the summation order of the MatMul can differ.
            for (var i = 0; i < expected.Length; i++) Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * MathF.Max(1, MathF.Abs(expected[i])), $"{text}: {i}");
        }
    }

    [Fact]
    public void Smoothed_int8_is_closer_to_fp32_than_plain_int8_on_real_sentences()
    {
        var maxima = LocalArcticEmbeddingModel.MeasureActivationMaxima(fixture.Source,
            fixture.Fp32.Tokenizer, CalibrationText.Questions.Select(q => LocalArcticEmbeddingModel.QueryPrefix + q).Concat(CalibrationText.Passages));
        var smoothedModel = OnnxDynamicQuantizer.Quantize(fixture.Source, new SmoothingOptions(maxima, LocalArcticEmbeddingModel.SmoothingAlpha), out var summary);
        Assert.Equal(36, summary.MatMulsQuantized);
        Assert.Equal(smoothedModel, LocalArcticEmbeddingModel.QuantizeSmoothed(fixture.Source, fixture.Fp32.Tokenizer)); // deterministic, as shipped
        using var fp32 = new InferenceSession(fixture.Source);
        using var plain = new InferenceSession(OnnxDynamicQuantizer.Quantize(fixture.Source, out _));
        using var smoothed = new InferenceSession(smoothedModel);
        double plainError = 0, smoothedError = 0;
        var texts = Questions.Select(q => LocalArcticEmbeddingModel.QueryPrefix + q.Query).Concat(Questions.Select(q => q.Passage)).ToList();
        foreach (var text in texts)
        {
            var reference = Cls(fp32, text);
            var p = 1 - TensorPrimitives.Dot(reference, Cls(plain, text));
            var s = 1 - TensorPrimitives.Dot(reference, Cls(smoothed, text));
            output.WriteLine($"1-cos plain {p:E2} smoothed {s:E2}");
            Assert.True(s < 0.002, $"{text}: 1-cos {s}");
            plainError += p;
            smoothedError += s;
        }
        output.WriteLine($"mean 1-cos: plain {plainError / texts.Count:E2}, smoothed {smoothedError / texts.Count:E2}");
        Assert.True(smoothedError < plainError * 0.8, $"smoothed {smoothedError} vs plain {plainError}");
    }

    private static float[] Hidden(InferenceSession session, string text)
    {
        var ids = new long[512];
        var mask = new long[512];
        var n = TeacherPlatform.Ai.Embeddings.Tokenization.BertWordPieceTokenizer.BertBaseUncased.Encode(text, ids, mask);
        long[] shape = [1, n];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids[..n], shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask[..n], shape);
        using var typeValue = OrtValue.CreateTensorValueFromMemory(new long[n], shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typeValue], ["last_hidden_state"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static float[] Cls(InferenceSession session, string text)
    {
        var v = Hidden(session, text)[..384];
        var norm = TensorPrimitives.Norm(v);
        for (var i = 0; i < v.Length; i++) v[i] /= norm;
        return v;
    }

    [Fact]
    public async Task An_int8_query_vector_does_not_depend_on_the_queries_running_beside_it()
    {
        // int8 activations share one scale per run: batched with others, a query's vector would move (cosine ~0.9985).
        var crowd = Enumerable.Range(0, 32).Select(i => Questions[i % Questions.Length].Query + $" (student {i})").ToList();
        var alone = await fixture.Asymmetric.EmbedQueryAsync(Questions[0].Query);
        var vectors = await Task.WhenAll(crowd.Append(Questions[0].Query).Select(q => fixture.Asymmetric.EmbedQueryAsync(q).AsTask()));
        Assert.Equal(alone, vectors[^1]);
    }

    private static int[] Rank(float[] query, IReadOnlyList<float[]> passages) =>
        Enumerable.Range(0, passages.Count).OrderByDescending(p => TensorPrimitives.Dot(query, passages[p])).ToArray();

    /// <summary>Real student questions (evals/datasets/pedagogy/questions-long.txt style) and the passage that answers each.</summary>
    private static readonly (string Query, string Passage)[] Questions =
    [
        ("My fourth finger keeps collapsing at the first joint when I play fast passages, what exercise should I do every day to make it stronger and more independent?",
            "Finger independence: rest the hand in a five-finger position and lift each finger in turn, slowly, keeping the knuckle joint firm and the other fingers relaxed on the keys. A collapsing joint is strengthened by slow, light practice, not by force."),
        ("The sustain pedal blurs the harmony in the slow section of my Chopin nocturne, how and when should I change it so the bass does not smear?",
            "Legato pedalling: press the pedal just after the new harmony sounds and release it exactly as the next chord is played, so each harmony is caught without mixing with the previous one; listen to the bass line to judge the change."),
        ("I freeze and forget the piece when I play in front of people at a recital even though it is fine at home, how can I prepare so my memory holds?",
            "Performance anxiety and memory slips: practise starting from several landmarks in the piece, play it for friends before the concert, and rehearse the walk on stage. Memory built on harmony and structure survives nerves better than finger memory alone."),
        ("When I speed up my C major scale with the metronome the thumb passing under makes a bump and an accent, how do I make the scale even?",
            "Scale evenness: the thumb moves under early, while the third finger is still playing, and the wrist stays level, so the crossing makes no accent. Raise the metronome by a few clicks only once the slow tempo is completely even."),
        ("How should I practise sight-reading every day as an adult beginner so I can read new pieces without stopping at every note?",
            "Sight-reading practice: read a short, easy piece every day without stopping, keeping the pulse and looking ahead one bar; choose material well below your playing level and never go back to correct a wrong note."),
    ];
}
