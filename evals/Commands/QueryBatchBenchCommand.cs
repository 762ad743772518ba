using System.Diagnostics;
using TeacherPlatform.Ai.Embeddings;

namespace TeacherPlatform.Evals.Commands;

/// <summary>
/// `query-batch-bench [--questions FILE] [--batches 1,2,4,8,16] [--precision fp32|int8] [--repeat 3]`: what one
/// encoder run over a micro-batch of real-length questions costs on one thread, per batch size — what the query batcher
/// trades (a batch saves CPU per query, but every query in it waits for the whole run). In-process, no server; the
/// questions carry the model's query prefix.
/// </summary>
public static class QueryBatchBenchCommand
{
    public static async Task RunAsync(CommandArgs options, TextWriter output, CancellationToken ct)
    {
        var file = options.Get("questions", "evals/datasets/pedagogy/questions-long.txt");
        var questions = (await File.ReadAllLinesAsync(file, ct)).Where(l => l.Trim().Length > 0)
            .Select(q => LocalArcticEmbeddingModel.QueryPrefix + q.Trim()).ToArray();
        var batches = options.Get("batches", "1,2,4,8,16").Split(',').Select(int.Parse).ToArray();
        var precision = Enum.Parse<EmbeddingPrecision>(options.Get("precision", "fp32"), ignoreCase: true);
        var repeat = Math.Max(1, options.Int("repeat", 3));
        // A multiple of every batch size, so each run is a full batch.
        var count = batches.Aggregate(1, (lcm, b) => lcm * b / Gcd(lcm, b));
        while (count < questions.Length) count *= 2;
        var texts = Enumerable.Range(0, count).Select(i => questions[i % questions.Length]).ToArray();

        output.WriteLine($"{questions.Length} questions from {file}, {precision}, one intra-op thread, {Environment.ProcessorCount} cores, median of {repeat} passes over {count} queries");
        output.WriteLine($"{"batch",5} {"run wall ms",12} {"wall ms/query",14} {"cpu ms/query",13}");
        foreach (var b in batches)
        {
            // Passage embedding with BatchSize b on one thread is exactly one ONNX run per b similar-length texts.
            using var model = new LocalArcticEmbeddingModel(new LocalEmbeddingOptions(IntraOpThreads: 1, BatchSize: b, Precision: precision, QueryPrecision: precision));
            await model.EmbedPassagesAsync(texts.Take(b).ToArray(), ct); // warm-up
            var passes = new List<(double Wall, double Cpu)>();
            for (var r = 0; r < repeat; r++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                await model.EmbedPassagesAsync(texts, ct);
                passes.Add((sw.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds));
            }

            var (wall, cpuMs) = passes.OrderBy(p => p.Wall).ElementAt(passes.Count / 2);
            output.WriteLine($"{b,5} {wall / (count / b),12:F1} {wall / count,14:F2} {cpuMs / count,13:F2}");
        }
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
