using TeacherPlatform.Evals.Commands;
using TeacherPlatform.Evals.Reports;

namespace TeacherPlatform.Evals;

/// <summary>Entry point: `dotnet run --project evals -- &lt;command&gt; [options]`.</summary>
public static class EvalsProgram
{
    private const string Usage = """
        TeacherPlatform evals: dotnet run --project evals -- <command> [options]
    
          load       ingest a dataset into a running instance       --base-url URL --dataset evals/datasets/pedagogy [--force]
          retrieval  recall@1/5/10, MRR@10, nDCG@10 per search mode  --base-url URL [--modes vector,keyword,hybrid] [--scope]
          ann        HNSW vs exact recall@10 over ef_search          [--vectors 100000 --dims 384 --ef 10,20,...] [--postgres CONN]
          answers    citations, LOW confidence, token F1, LLM judge  --base-url URL [--judge-url URL --judge-model NAME]
          bench      load generator (HdrHistogram)                   --base-url URL [--profile full|quick|smoke] [--scenarios ...] [--server-pid PID]
          calibrate  confidence thresholds from the latest answers runs --on gutenberg (odd ids calibrate, even ids and other datasets report)
          report     rebuild evals/results/REPORT.md from the JSON
          edge-bench edge gateway vs the API: cached full/64 KB range reads of a 5 MB PDF, added latency on /api/search
                     [--api-url URL --edge-url URL] [--clients 50] [--duration 15] [--search-requests 200]
          ingest-bench  in-process extract + partition speed           [--folder DIR] [--repeat 5] [--synthetic-pages 50] [--embed [--max-batch-tokens 4096]]
          query-batch-bench  encoder cost per query by micro-batch size, one thread  [--batches 1,2,4,8,16] [--precision fp32|int8]
          scale-bench  100k-chunk embedded corpus from real text: API start-up on the persisted HNSW graph, single-client
                     search p50/p95 with distinct long questions, recall@10 vs exact  [--chunks 100000] [--data DIR] [--until embed|db]
          all        start an instance (embedded defaults), then all of the above [--quick] [--base-url URL to use a running one]
                     [--llm-stub-ttft-ms 100 [--llm-stub-env Llm__Provider=OpenAi,Llm__OpenAi__Endpoint={url},...]] [--server-env K=V,...]
    
        Common: --results DIR (default evals/results), --allow-remote (load/bench only target loopback otherwise).
        Benchmarks assume the server runs with RateLimiting__Enabled=false.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return 0;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var command = args[0];
        CommandArgs options;
        try { options = new CommandArgs(args.Skip(1)); }
        catch (ArgumentException ex) { Console.Error.WriteLine(ex.Message); return 2; }

        var env = new CommandEnv
        {
            BaseUrl = CommandEnv.ParseBaseUrl(options),
            ResultsDirectory = options.Get("results") ?? ResultStore.DefaultDirectory,
            ServerPid = options.Has("server-pid") ? options.Int("server-pid", 0) : null,
        };
        try
        {
            switch (command)
            {
                case "load": await LoadCommand.RunAsync(env, options, cts.Token); break;
                case "retrieval": await RetrievalCommand.RunAsync(env, options, cts.Token); break;
                case "ann": await AnnCommand.RunAsync(env, options, cts.Token); break;
                case "answers": await AnswersCommand.RunAsync(env, options, cts.Token); break;
                case "bench": await BenchCommand.RunAsync(env, options, cts.Token); break;
                case "edge-bench": await EdgeBenchCommand.RunAsync(env, options, cts.Token); break;
                case "ingest-bench": await IngestBenchCommand.RunAsync(options, Console.Out, cts.Token); break;
                case "query-batch-bench": await QueryBatchBenchCommand.RunAsync(options, Console.Out, cts.Token); break;
                case "scale-bench": await ScaleBenchCommand.RunAsync(env, options, cts.Token); break;
                case "calibrate": CalibrateCommand.Run(env, options); break;
                case "report": Console.WriteLine(MarkdownReport.Rebuild(env.ResultsDirectory)); break;
                case "all": return await AllCommand.RunAsync(options, Console.Out, cts.Token);
                default: Console.Error.WriteLine($"Unknown command '{command}'.\n\n{Usage}"); return 2;
            }
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or TeacherPlatform.Evals.Client.ApiException)
        {
            Console.Error.WriteLine($"{command} failed: {ex.Message}");
            return 1;
        }
    }
}
