using System.Diagnostics;
using System.Net;

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

    public static string FindEdgeDll()
    {
        var candidates = new List<string>();
        if (Reports.ResultStore.FindRepoRoot() is { } root)
        {
            foreach (var config in new[] { "Release", "Debug" })
                candidates.Add(Path.Combine(root, "src", "Edge", "bin", config, "net10.0", "TeacherPlatform.Edge.dll"));
        }
        return candidates.Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new FileNotFoundException("TeacherPlatform.Edge.dll not found: build src/Edge first (dotnet build src/Edge -c Release).");
    }

    public static async Task<EdgeProcess> StartAsync(Uri upstream, TextWriter log, CancellationToken ct)
    {
        var dll = FindEdgeDll();
        var port = ServerProcess.FreePort();
        var cache = Directory.CreateTempSubdirectory("tp-evals-edge-").FullName;
        var logPath = cache + ".log"; // beside the cache, not in it (the cache directory is the edge's to manage)
        var url = new Uri($"http://127.0.0.1:{port}/");
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", url.ToString().TrimEnd('/') },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["Edge__Upstreams__0"] = upstream.ToString().TrimEnd('/');
        psi.Environment["Edge__RateLimiting__Enabled"] = "false";
        psi.Environment["Edge__Cache__Directory"] = cache;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the edge process.");
        var writer = new StreamWriter(logPath) { AutoFlush = true };
        var sync = TextWriter.Synchronized(writer);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) sync.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) sync.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var edge = new EdgeProcess(process, url, cache, logPath);
        log.WriteLine($"edge:   pid {process.Id} at {url} -> {upstream} (cache {cache}, log {logPath})");

        // Healthy = the edge answers and its active probe has seen the API (a 503 means no usable instance yet).
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromMinutes(2))
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited) throw new InvalidOperationException($"The edge exited with code {process.ExitCode}; see {logPath}.");
            try
            {
                using var r = await http.GetAsync("edge/health", ct);
                if (r.StatusCode == HttpStatusCode.OK) return edge;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(250, ct);
        }
        await edge.DisposeAsync();
        throw new TimeoutException($"The edge did not become healthy in 2 minutes; see {logPath}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(CacheDirectory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
