using System.Diagnostics;

namespace TeacherPlatform.Evals.Hosting;

/// <summary>
/// The edge gateway (src/Edge) as a child process on a free loopback port in front of one API instance, with its
/// per-IP rate limit off (the load generator is one IP) and a temp cache directory.
/// </summary>
public sealed class EdgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    public Uri BaseUrl { get; }
    public int Pid => _process.Id;
    public string CacheDirectory { get; }
    public string LogPath { get; }

    private EdgeProcess(Process process, Uri baseUrl, string cacheDirectory, string logPath)
    {
        _process = process;
        BaseUrl = baseUrl;
        CacheDirectory = cacheDirectory;
        LogPath = logPath;
    }

    public static string FindEdgeDll() => ChildProcess.FindDll("Edge", "TeacherPlatform.Edge.dll");

    public static async Task<EdgeProcess> StartAsync(Uri upstream, TextWriter log, CancellationToken ct)
    {
        var port = ServerProcess.FreePort();
        var cache = Directory.CreateTempSubdirectory("tp-evals-edge-").FullName;
        var logPath = cache + ".log"; // beside the cache, not in it (the cache directory is the edge's to manage)
        var url = new Uri($"http://127.0.0.1:{port}/");
        var process = ChildProcess.Start(FindEdgeDll(), url, new Dictionary<string, string>
        {
            ["Edge__Upstreams__0"] = upstream.ToString().TrimEnd('/'),
            ["Edge__RateLimiting__Enabled"] = "false",
            ["Edge__Cache__Directory"] = cache,
        }, logPath, "edge");
        var edge = new EdgeProcess(process, url, cache, logPath);
        log.WriteLine($"edge:   pid {process.Id} at {url} -> {upstream} (cache {cache}, log {logPath})");

        // Healthy = the edge answers and its active probe has seen the API (a 503 means no usable instance yet).
        if (await ChildProcess.WaitHealthyAsync(process, url, "edge/health", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(250), "edge", logPath, ct))
            return edge;
        await edge.DisposeAsync();
        throw new TimeoutException($"The edge did not become healthy in 2 minutes; see {logPath}.");
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(_process);
        try { Directory.Delete(CacheDirectory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
