using System.Net;
using TeacherPlatform.Evals.Client;
using TeacherPlatform.Evals.Datasets;
using TeacherPlatform.Evals.Reports;

namespace TeacherPlatform.Evals.Commands;

/// <summary>
/// What a command needs from its surroundings: how to reach the instance (a base URL, or a handler from
/// WebApplicationFactory in tests), where results go, and where to print progress.
/// </summary>
public sealed class CommandEnv
{
    public required Uri BaseUrl { get; init; }
    public string ResultsDirectory { get; init; } = ResultStore.DefaultDirectory;
    public TextWriter Out { get; init; } = Console.Out;
    /// <summary>Builds the HTTP handler; null = SocketsHttpHandler (real network).</summary>
    public Func<HttpMessageHandler>? HandlerFactory { get; init; }
    /// <summary>Pid of the server process when known (child process started by `all`).</summary>
    public int? ServerPid { get; init; }
    /// <summary>Whether to regenerate REPORT.md after writing results.</summary>
    public bool WriteReport { get; init; } = true;

    private HttpMessageHandler? _shared;
    private readonly Lock _lock = new();

    public HttpClient CreateHttpClient(TimeSpan? timeout = null)
    {
        HttpMessageHandler handler;
        lock (_lock)
        {
            _shared ??= HandlerFactory?.Invoke() ?? new SocketsHttpHandler
            {
                MaxConnectionsPerServer = 1024,
                PooledConnectionLifetime = TimeSpan.FromMinutes(10),
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
            };
            handler = _shared;
        }
        return new HttpClient(handler, disposeHandler: false) { BaseAddress = BaseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(120) };
    }

    public TeacherPlatformClient CreateClient(TimeSpan? timeout = null) => new(CreateHttpClient(timeout));

    public static Uri ParseBaseUrl(CommandArgs args) => new(args.Get("base-url", "http://127.0.0.1:5000").TrimEnd('/') + "/");

    /// <summary>Load generation and ingestion only target this machine unless --allow-remote is given.</summary>
    public static void EnsureLoopback(Uri baseUrl, bool allowRemote)
    {
        if (allowRemote) return;
        if (baseUrl.IsLoopback || baseUrl.Host is "localhost") return;
        if (IPAddress.TryParse(baseUrl.Host, out var ip) && IPAddress.IsLoopback(ip)) return;
        throw new InvalidOperationException($"Refusing to target {baseUrl.Host}: only loopback hosts are allowed unless --allow-remote is given.");
    }

    public EvalRun<T> Save<T>(string command, CommandArgs args, CorpusInfo? corpus, T results, IReadOnlyList<string> notes,
        IReadOnlyDictionary<string, string?>? extraConfig = null)
    {
        var config = new Dictionary<string, string?>(args.All, StringComparer.OrdinalIgnoreCase)
        {
            ["base_url"] = BaseUrl.ToString(),
            ["evals_build"] = BuildInfo.ConfigurationOf(typeof(CommandEnv)),
            ["ai_library_build"] = BuildInfo.ConfigurationOf(typeof(TeacherPlatform.Ai.VectorIndex.HnswVectorIndex)),
        };
        if (extraConfig is not null) foreach (var (k, v) in extraConfig) config[k] = v;
        var run = new EvalRun<T>(command, DateTimeOffset.UtcNow, MachineInfo.Current(), GitInfo.Current(), config, corpus, results, notes);
        var path = ResultStore.Write(ResultsDirectory, run);
        Out.WriteLine($"results: {path}");
        if (WriteReport)
        {
            var report = MarkdownReport.Rebuild(ResultsDirectory);
            Out.WriteLine($"report:  {report}");
        }
        return run;
    }
}
