using TeacherPlatform.Evals.Hosting;
using TeacherPlatform.Evals.Reports;

namespace TeacherPlatform.Evals.Commands;

/// <summary>
/// `all`: starts the API as a child process on embedded defaults (free loopback port, temp data dir, rate limiting off)
/// unless --base-url is given, then load → retrieval → ann → answers → bench (full profile unless --quick) → report.
/// </summary>
public static class AllCommand
{
    public static async Task<int> RunAsync(CommandArgs args, TextWriter output, CancellationToken ct)
    {
        ServerProcess? server = null;
        LlmStubServer? stub = null;
        var env = (CommandEnv?)null;
        var results = args.Get("results") ?? ResultStore.DefaultDirectory;
        try
        {
            if (args.Get("base-url") is null)
            {
                var extra = new Dictionary<string, string>();
                foreach (var kv in args.List("server-env"))
                {
                    var eq = kv.IndexOf('=');
                    if (eq > 0) extra[kv[..eq]] = kv[(eq + 1)..];
                }
                if (args.Has("llm-stub-ttft-ms"))
                {
                    // The API's OpenAI-compatible connector pointed at a stub with a fixed time to first token.
                    stub = await LlmStubServer.StartAsync(TimeSpan.FromMilliseconds(args.Int("llm-stub-ttft-ms", 100)), args.Int("llm-stub-tokens", 40),
                        TimeSpan.FromMilliseconds(args.Double("llm-stub-token-ms", 5)), ct);
                    foreach (var kv in args.List("llm-stub-env", "Llm__Provider=OpenAi", "Llm__OpenAi__Endpoint={url}", "Llm__OpenAi__Model=stub", "Llm__OpenAi__ApiKey=stub"))
                    {
                        var eq = kv.IndexOf('=');
                        if (eq > 0) extra.TryAdd(kv[..eq], kv[(eq + 1)..].Replace("{url}", stub.BaseUrl.ToString().TrimEnd('/'), StringComparison.Ordinal));
                    }
                    output.WriteLine($"llm stub: {stub.BaseUrl} (ttft {stub.TimeToFirstToken.TotalMilliseconds} ms, {stub.Tokens} tokens)");
                }
                server = await ServerProcess.StartAsync(extra, output, ct);
            }
            env = new CommandEnv
            {
                BaseUrl = server?.BaseUrl ?? CommandEnv.ParseBaseUrl(args), ResultsDirectory = results, Out = output,
                ServerPid = server?.Pid ?? (args.Has("server-pid") ? args.Int("server-pid", 0) : null),
            };
            var quick = args.Flag("quick");
            var common = new List<string> { "--dataset", args.Get("dataset", "evals/datasets/pedagogy") };

            var steps = args.List("steps", "load", "retrieval", "ann", "answers", "bench");
            var failures = new List<string>();
            async Task Step(string name, Func<Task> run)
            {
                if (!steps.Contains(name)) return;
                output.WriteLine($"=== {name} ===");
                try { await run(); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failures.Add($"{name}: {ex.Message}");
                    output.WriteLine($"{name} failed: {ex}");
                }
            }
            await Step("load", () => LoadCommand.RunAsync(env, new CommandArgs(common), ct));
            await Step("retrieval", () => RetrievalCommand.RunAsync(env, new CommandArgs(common), ct));
            await Step("ann", () => AnnCommand.RunAsync(env, new CommandArgs(common.Concat(quick ? ["--queries", "200"] : []).Concat(
                args.Get("postgres") is { } pg ? ["--postgres", pg] : [])), ct));
            await Step("answers", () => AnswersCommand.RunAsync(env, new CommandArgs(common.Concat(
                args.Get("judge-url") is { } ju ? ["--judge-url", ju, "--judge-model", args.Get("judge-model", "")] : [])), ct));
            var benchArgs = common.Concat(["--profile", args.Get("profile", quick ? "quick" : "full")]).ToList();
            foreach (var pass in new[] { "scale", "scenarios", "users", "think", "students", "max-requests" })
                if (args.Get(pass) is { } v) benchArgs.AddRange([$"--{pass}", v]);
            await Step("bench", () => BenchCommand.RunAsync(env, new CommandArgs(benchArgs), ct));
            var report = MarkdownReport.Rebuild(results);
            output.WriteLine($"report: {report}");
            foreach (var f in failures) output.WriteLine($"FAILED {f}");
            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (stub is not null) await stub.DisposeAsync();
            if (server is not null)
            {
                output.WriteLine($"server log: {server.LogPath}");
                await server.DisposeAsync();
                if (!args.Flag("keep-data")) { try { Directory.Delete(server.DataDirectory, true); } catch (IOException) { } }
            }
        }
    }
}
