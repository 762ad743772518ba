using System.Numerics.Tensors;
using System.Text.Json;
using TeacherPlatform.Ai.Embeddings;
using Xunit.Abstractions;

namespace TeacherPlatform.UnitTests.Embeddings;

// TEMP probe (not for merge): cosine int8 vs fp32 on dataset questions.
[Collection(CpuHeavyCollection.Name)]
public sealed class SmoothProbeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Probe()
    {
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "evals"))) root = Path.GetDirectoryName(root)!;
        var qs = File.ReadAllLines(Path.Combine(root, "evals/datasets/pedagogy/questions-long.txt")).Where(l => l.Length > 0).ToList();
        foreach (var l in File.ReadLines(Path.Combine(root, "evals/datasets/gutenberg/questions.jsonl")))
            qs.Add(JsonDocument.Parse(l).RootElement.GetProperty("question").GetString()!);
        using var fp = new LocalArcticEmbeddingModel(new LocalEmbeddingOptions(IntraOpThreads: 2));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var i8 = new LocalArcticEmbeddingModel(new LocalEmbeddingOptions(IntraOpThreads: 2, Precision: EmbeddingPrecision.Int8));
        output.WriteLine($"int8 start {sw.ElapsedMilliseconds} ms");
        var a = await fp.EmbedPassagesAsync(qs);
        var b = await i8.EmbedPassagesAsync(qs);
        var cos = a.Zip(b, (x, y) => TensorPrimitives.Dot(x, y)).ToList();
        output.WriteLine($"n {cos.Count} min {cos.Min():F5} mean {cos.Average():F5} p10 {cos.Order().ElementAt(cos.Count / 10):F5}");
        var qa = new List<float>(); 
        foreach (var q in qs.Take(80)) { var x = await fp.EmbedQueryAsync(q); var y = await i8.EmbedQueryAsync(q); qa.Add(TensorPrimitives.Dot(x, y)); }
        output.WriteLine($"query n {qa.Count} min {qa.Min():F5} mean {qa.Average():F5}");
    }
}

[Collection(CpuHeavyCollection.Name)]
public sealed class SmoothProbe2Tests(ITestOutputHelper output)
{
    [Fact]
    public void FloatEquivalence()
    {
        var model = LocalArcticEmbeddingModel.ReadPackagedModel();
        var tok = TeacherPlatform.Ai.Embeddings.Tokenization.BertWordPieceTokenizer.BertBaseUncased;
        var maxima = LocalArcticEmbeddingModel.MeasureActivationMaxima(model, tok, TeacherPlatform.Ai.Embeddings.Quantization.CalibrationText.Passages);
        foreach (var (k, v) in maxima) output.WriteLine($"{k}: max {v.Max():F2} median {v.Order().ElementAt(v.Length / 2):F3} top3 {string.Join(",", v.Select((x, i) => (x, i)).OrderByDescending(t => t.x).Take(3).Select(t => $"{t.i}:{t.x:F1}"))}");
        var smoothed = TeacherPlatform.Ai.Embeddings.Quantization.OnnxDynamicQuantizer.Quantize(model, new(maxima, 0.5f, QuantizeWeights: false), out var summary);
        output.WriteLine(summary.ToString());
        float[] Run(byte[] m, string text)
        {
            using var s = new Microsoft.ML.OnnxRuntime.InferenceSession(m);
            var ids = new long[512]; var mask = new long[512];
            var n = tok.Encode(text, ids, mask);
            long[] shape = [1, n];
            using var a = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(ids[..n], shape);
            using var b = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(mask[..n], shape);
            using var c = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new long[n], shape);
            using var ro = new Microsoft.ML.OnnxRuntime.RunOptions();
            using var o = s.Run(ro, ["input_ids", "attention_mask", "token_type_ids"], [a, b, c], ["last_hidden_state"]);
            return o[0].GetTensorDataAsSpan<float>()[..384].ToArray();
        }
        var t = "Why does my wrist hurt after playing octaves on the piano?";
        var x = Run(model, t); var y = Run(smoothed, t);
        output.WriteLine($"maxdiff {x.Zip(y, (p, q) => MathF.Abs(p - q)).Max()} maxabs {x.Max(MathF.Abs)}");
    }
}

[Collection(CpuHeavyCollection.Name)]
public sealed class SmoothProbe3Tests(ITestOutputHelper output)
{
    [Fact]
    public void ErrorGrid()
    {
        var model = LocalArcticEmbeddingModel.ReadPackagedModel();
        var tok = TeacherPlatform.Ai.Embeddings.Tokenization.BertWordPieceTokenizer.BertBaseUncased;
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "evals"))) root = Path.GetDirectoryName(root)!;
        // evaluation activations: gutenberg questions (probe only), calibration: built-in text
        var evalTexts = File.ReadLines(Path.Combine(root, "evals/datasets/gutenberg/questions.jsonl")).Take(40)
            .Select(l => LocalArcticEmbeddingModel.QueryPrefix + JsonDocument.Parse(l).RootElement.GetProperty("question").GetString()!).ToList();
        var calTexts = TeacherPlatform.Ai.Embeddings.Quantization.CalibrationText.Questions.Select(q => LocalArcticEmbeddingModel.QueryPrefix + q).Concat(TeacherPlatform.Ai.Embeddings.Quantization.CalibrationText.Passages).ToList();
        var names = TeacherPlatform.Ai.Embeddings.Quantization.OnnxDynamicQuantizer.WeightMatMulInputs(model).ToArray();
        var inst = TeacherPlatform.Ai.Embeddings.Quantization.OnnxDynamicQuantizer.WithFloatOutputs(model, names);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(inst);
        Dictionary<string, List<float[]>> Rows(List<string> texts)
        {
            var rows = names.ToDictionary(n => n, _ => new List<float[]>());
            foreach (var text in texts)
            {
                var ids = new long[512]; var mask = new long[512];
                var n = tok.Encode(text, ids, mask);
                long[] shape = [1, n];
                using var a = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(ids[..n], shape);
                using var b = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(mask[..n], shape);
                using var c = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new long[n], shape);
                using var ro = new Microsoft.ML.OnnxRuntime.RunOptions();
                using var o = session.Run(ro, ["input_ids", "attention_mask", "token_type_ids"], [a, b, c], names);
                for (var i = 0; i < names.Length; i++)
                {
                    var ch = (int)o[i].GetTensorTypeAndShape().Shape[^1];
                    var v = o[i].GetTensorDataAsSpan<float>().ToArray();
                    for (var r = 0; r < v.Length / ch; r++) rows[names[i]].Add(v[(r * ch)..((r + 1) * ch)]);
                }
            }
            return rows;
        }
        var cal = Rows(calTexts);
        var ev = Rows(evalTexts);
        var weights = TeacherPlatform.Ai.Embeddings.Quantization.OnnxDynamicQuantizer.WeightsByInput(model);
        var rules = new (string Name, Func<float[], float[], float[]> S)[]
        {
            ("none", (x, w) => x.Select(_ => 1f).ToArray()),
            ("a0.3", (x, w) => TeacherPlatform.Ai.Embeddings.Quantization.OnnxDynamicQuantizer.SmoothingFactors(x, w, 0.3f)),
            ("a0.5", (x, w) => TeacherPlatform.Ai.Embeddings.Quantization.OnnxDynamicQuantizer.SmoothingFactors(x, w, 0.5f)),
            ("a0.7", (x, w) => TeacherPlatform.Ai.Embeddings.Quantization.OnnxDynamicQuantizer.SmoothingFactors(x, w, 0.7f)),
            ("a0.85", (x, w) => TeacherPlatform.Ai.Embeddings.Quantization.OnnxDynamicQuantizer.SmoothingFactors(x, w, 0.85f)),
            ("clipmed4", (x, w) => { var t = 4 * x.Order().ElementAt(x.Length / 2); return x.Select(v => v > t ? MathF.Pow(2, MathF.Round(MathF.Log2(v / t))) : 1f).ToArray(); }),
            ("clipmed2", (x, w) => { var t = 2 * x.Order().ElementAt(x.Length / 2); return x.Select(v => v > t ? MathF.Pow(2, MathF.Round(MathF.Log2(v / t))) : 1f).ToArray(); }),
        };
        var totals = new double[rules.Length];
        foreach (var name in names)
        {
            var xmax = new float[cal[name][0].Length];
            foreach (var r in cal[name]) for (var j = 0; j < xmax.Length; j++) xmax[j] = MathF.Max(xmax[j], MathF.Abs(r[j]));
            var line = $"{name[..Math.Min(name.Length, 50)],-50}";
            for (var ri = 0; ri < rules.Length; ri++)
            {
                double err = 0, refn = 0;
                foreach (var (w, k, nCols) in weights[name])
                {
                    var wmax = new float[k];
                    for (var r = 0; r < k; r++) for (var c = 0; c < nCols; c++) wmax[r] = MathF.Max(wmax[r], MathF.Abs(w[r * nCols + c]));
                    var s = rules[ri].S(xmax, wmax);
                    var ws = new float[w.Length];
                    for (var r = 0; r < k; r++) for (var c = 0; c < nCols; c++) ws[r * nCols + c] = w[r * nCols + c] * s[r];
                    var (q, sc) = TeacherPlatform.Ai.Embeddings.Quantization.OnnxDynamicQuantizer.QuantizeColumns(ws, k, nCols);
                    // transposed dequantised and reference weights
                    var wt = new float[w.Length]; var wqt = new float[w.Length];
                    for (var r = 0; r < k; r++) for (var c = 0; c < nCols; c++) { wt[c * k + r] = w[r * nCols + c]; wqt[c * k + r] = q[r * nCols + c] * sc[c]; }
                    // whole-tensor uint8 asymmetric per sentence: approximate with per-token-group = each eval sentence; use all rows of eval as one tensor per sentence is costly; use global min/max over rows of one sentence ~ take rows in chunks of 40
                    var rows = ev[name];
                    for (var start = 0; start < rows.Count; start += 40)
                    {
                        var chunk = rows.Skip(start).Take(40).Select(r => r.Select((v, j) => v / s[j]).ToArray()).ToList();
                        float mn = 0, mx = 0;
                        foreach (var r in chunk) { mn = MathF.Min(mn, r.Min()); mx = MathF.Max(mx, r.Max()); }
                        var scale = (mx - mn) / 255f; var zp = MathF.Round(-mn / scale);
                        for (var ci = 0; ci < chunk.Count; ci++)
                        {
                            var xq = chunk[ci].Select(v => (Math.Clamp(MathF.Round(v / scale) + zp, 0, 255) - zp) * scale).ToArray();
                            var orig = rows[start + ci];
                            for (var c = 0; c < nCols; c += 3)
                            {
                                var y = TensorPrimitives.Dot(orig, wt.AsSpan(c * k, k));
                                var yq = TensorPrimitives.Dot(xq, wqt.AsSpan(c * k, k));
                                err += (y - yq) * (double)(y - yq); refn += y * (double)y;
                            }
                        }
                    }
                }
                var rel = err / refn;
                totals[ri] += rel;
                line += $" {rules[ri].Name}={rel:E2}";
            }
            output.WriteLine(line);
        }
        output.WriteLine("TOTAL " + string.Join(" ", rules.Select((r, i) => $"{r.Name}={totals[i]:E3}")));
    }
}
