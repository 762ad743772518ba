using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TeacherPlatform.Evals.Hosting;

/// <summary>
/// The API as a child process on a free loopback port with a temp data directory and embedded defaults
/// (SQLite, local storage, local embedder, extractive answers), rate limiting off for benchmarks.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    public Uri BaseUrl { get; }
    public int Pid => _process.Id;
    public string DataDirectory { get; }
    public string LogPath { get; }

    private ServerProcess(Process process, Uri baseUrl, string dataDirectory, string logPath)
    {
        _process = process;
        BaseUrl = baseUrl;
        DataDirectory = dataDirectory;
        LogPath = logPath;
    }

    public static string FindApiDll() =>
        ChildProcess.FindDll("Api", "TeacherPlatform.Api.dll", Path.Combine(AppContext.BaseDirectory, "TeacherPlatform.Api.dll"));

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <param name="dataDirectory">An existing data directory to start on (default: a fresh temporary one).</param>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string>? extraEnv, TextWriter log, CancellationToken ct,
        string? dataDirectory = null)
    {
        var port = FreePort();
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("tp-evals-").FullName;
        var logPath = Path.Combine(data, "server.log");
        var url = new Uri($"http://127.0.0.1:{port}/");
        var environment = new Dictionary<string, string> { ["Data__Directory"] = data, ["RateLimiting__Enabled"] = "false",
            // The evidence figures behind each answer's confidence, for `calibrate`.
            ["Rag__Confidence__ExposeEvidence"] = "true" };
        foreach (var (k, v) in extraEnv ?? new Dictionary<string, string>()) environment[k] = v;
        var process = ChildProcess.Start(FindApiDll(), url, environment, logPath, "API");
        var server = new ServerProcess(process, url, data, logPath);
        log.WriteLine($"server: pid {process.Id} at {url} (data {data}, log {logPath})");

        if (await ChildProcess.WaitHealthyAsync(process, url, "api/health", TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(100), "API", logPath, ct))
            return server;
        await server.DisposeAsync();
        throw new TimeoutException($"The API did not become healthy in 3 minutes; see {logPath}.");
    }

    public ValueTask DisposeAsync() => new(ChildProcess.StopAsync(_process));
}
