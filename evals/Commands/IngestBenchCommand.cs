using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Embeddings.Tokenization;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Ingestion;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Partitioning;
using TeacherPlatform.Ingestion.Pipeline;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace TeacherPlatform.Evals.Commands;

/// <summary>
/// `ingest-bench [--folder DIR] [--repeat 5] [--synthetic-pages 50] [--embed]`: in-process extraction + partitioning speed (no
/// embedding, no database) over a folder's PDF/HTML/VTT/SRT/TXT/MD files plus a generated N-page text PDF, with the
/// embedding model's tokenizer. Prints the median per file and pages/s, chunks/s over the median total. With
/// `--embed` it then embeds the chunks with the local model twice: the model's raw batch throughput (every chunk in one
/// call, which the model sorts by length and runs in batches of its batch size) and the ingestion pipeline's real
/// <see cref="EmbedStep"/> per document, and prints chunks/s of each and their ratio (issue 11: within 10 %).
/// </summary>
public static class IngestBenchCommand
{
    private static readonly Dictionary<string, string> SourceTypeByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = "pdf", [".html"] = "web", [".htm"] = "web", [".vtt"] = "video", [".srt"] = "video", [".txt"] = "text", [".md"] = "text",
    };

    public static async Task RunAsync(CommandArgs options, TextWriter output, CancellationToken ct)
    {
        var folder = options.Get("folder");
        var repeat = Math.Max(1, options.Int("repeat", 5));
        var syntheticPages = options.Int("synthetic-pages", 50);
        var files = new List<(string Name, byte[] Bytes)>();
        if (folder is not null)
            foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(p => SourceTypeByExtension.ContainsKey(Path.GetExtension(p))).Order(StringComparer.Ordinal))
                files.Add((Path.GetFileName(path), await File.ReadAllBytesAsync(path, ct)));
        if (syntheticPages > 0) files.Add(($"synthetic-{syntheticPages}-pages.pdf", SyntheticPdf(syntheticPages)));

        var registry = ExtractorRegistry.CreateDefault();
        var partitioner = new TextPartitioner(BertWordPieceTokenizer.BertBaseUncased.CountTokens, new PartitionOptions { MaxTokens = 510 });
        var documents = new List<IReadOnlyList<TextChunk>>();
        double totalExtract = 0, totalPartition = 0;
        int totalPages = 0, totalChunks = 0;
        output.WriteLine($"{"file",-48} {"pages",6} {"chunks",7} {"extract ms",11} {"partition ms",13}");
        foreach (var (name, bytes) in files)
        {
            var extractMs = new List<double>();
            var partitionMs = new List<double>();
            int pages = 0, chunks = 0;
            for (var i = 0; i < repeat + 1; i++) // the first run warms up (JIT, font tables) and is not counted
            {
                var sw = Stopwatch.StartNew();
                var doc = await registry.ExtractAsync(new MemoryStream(bytes), new ExtractionContext(SourceTypeByExtension[Path.GetExtension(name)], name), ct);
                var extracted = sw.Elapsed.TotalMilliseconds;
                var result = partitioner.Partition(doc);
                if (i == 0) continue;
                extractMs.Add(extracted);
                partitionMs.Add(sw.Elapsed.TotalMilliseconds - extracted);
                (pages, chunks) = (doc.Sections.Count == 0 ? 0 : doc.Sections.Max(s => s.PageNumber), result.Count);
                if (i == repeat) documents.Add(result);
            }

            var (e, p) = (Median(extractMs), Median(partitionMs));
            output.WriteLine($"{name,-48} {pages,6} {chunks,7} {e,11:F1} {p,13:F1}");
            totalExtract += e;
            totalPartition += p;
            totalPages += pages;
            totalChunks += chunks;
        }

        var seconds = (totalExtract + totalPartition) / 1000;
        output.WriteLine($"total: {totalPages} pages, {totalChunks} chunks, extract {totalExtract:F0} ms + partition {totalPartition:F0} ms " +
                         $"= {totalPages / seconds:F0} pages/s, {totalChunks / seconds:F0} chunks/s ({Environment.ProcessorCount} cores)");
        if (options.Flag("embed")) await EmbeddingThroughputAsync(documents, repeat, options.Int("max-batch-tokens", LocalEmbeddingOptions.DefaultMaxBatchTokens), output, ct);
    }

    /// <summary>Raw model throughput against the pipeline's embed step on the same chunks, same model instance, alternating runs.</summary>
    private static async Task EmbeddingThroughputAsync(
        List<IReadOnlyList<TextChunk>> documents, int repeat, int maxBatchTokens, TextWriter output, CancellationToken ct)
    {
        using var model = new LocalArcticEmbeddingModel(
            new LocalEmbeddingOptions(QueryPrecision: EmbeddingPrecision.Fp32, MaxBatchTokens: maxBatchTokens)); // passages only: no int8 copy
        var step = new EmbedStep(model, Options.Create(new IngestionOptions()));
        var all = documents.SelectMany(d => d).Select(c => c.Text).ToList();
        await model.EmbedPassagesAsync(all.Take(64).ToList(), ct); // warm-up: ORT's first runs allocate its arenas
        var raw = new List<double>();
        var pipeline = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            await model.EmbedPassagesAsync(all, ct);
            raw.Add(all.Count / sw.Elapsed.TotalSeconds);
            sw.Restart();
            foreach (var chunks in documents)
                await step.ExecuteAsync(new IngestionContext(new KnowledgeDocument { Title = "bench" }, NoProgress.Instance) { Chunks = chunks }, ct);
            pipeline.Add(all.Count / sw.Elapsed.TotalSeconds);
        }

        var (r, p) = (Median(raw), Median(pipeline));
        output.WriteLine($"embedding: {all.Count} chunks, {documents.Count} documents; raw model {r:F1} chunks/s, pipeline embed step {p:F1} chunks/s " +
                         $"(median of {repeat}; pipeline/raw {p / r:P0})");
        // The encoder's working memory (ONNX Runtime keeps its arena's peak): what Embeddings:Local:MaxBatchTokens bounds.
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        output.WriteLine($"memory: max batch tokens {maxBatchTokens}; working set {process.WorkingSet64 / 1048576} MB, peak {process.PeakWorkingSet64 / 1048576} MB");
    }

    private sealed class NoProgress : IProgressSink
    {
        public static readonly NoProgress Instance = new();
        public Task ReportAsync(string stage, int done, int total, CancellationToken ct) => Task.CompletedTask;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>A text-only PDF of about 3,800 characters per page, with a running header and page-number footer.</summary>
    internal static byte[] SyntheticPdf(int pages)
    {
        var random = new Random(42);
        var words = ("the piano teacher should practise scales slowly with a relaxed wrist and listen carefully to every note while " +
                     "counting aloud legato staccato pedal phrase dynamics rhythm finger independence arpeggio metronome").Split(' ');
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.TimesRoman);
        for (var p = 0; p < pages; p++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddText($"Piano Pedagogy Handbook - Chapter {p / 10 + 1}", 9, new PdfPoint(72, 800), font);
            for (var y = 770.0; y > 80; y -= 12)
            {
                for (var lines = random.Next(3, 8); lines > 0 && y > 80; lines--, y -= 14)
                {
                    var line = new StringBuilder();
                    while (line.Length < 85)
                    {
                        var w = words[random.Next(words.Length)];
                        line.Append(line.Length == 0 ? char.ToUpperInvariant(w[0]) + w[1..] : w).Append(random.Next(10) == 0 ? ". " : " ");
                    }

                    page.AddText(line.ToString().Trim(), 11, new PdfPoint(72, y), font);
                }
            }

            page.AddText($"Page {p + 1}", 9, new PdfPoint(290, 40), font);
        }

        return builder.Build();
    }
}
