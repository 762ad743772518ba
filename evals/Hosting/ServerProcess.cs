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

    public static string FindApiDll()
    {
        var candidates = new List<string>();
        if (Reports.ResultStore.FindRepoRoot() is { } root)
        {
            foreach (var config in new[] { "Release", "Debug" })
                candidates.Add(Path.Combine(root, "src", "Api", "bin", config, "net10.0", "TeacherPlatform.Api.dll"));
        }
        candidates.Add(Path.Combine(AppContext.BaseDirectory, "TeacherPlatform.Api.dll"));
        return candidates.Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new FileNotFoundException("TeacherPlatform.Api.dll not found: build src/Api first (dotnet build src/Api).");
    }

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
        var dll = FindApiDll();
        var port = FreePort();
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("tp-evals-").FullName;
        var logPath = Path.Combine(data, "server.log");
        var url = new Uri($"http://127.0.0.1:{port}/");
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", url.ToString().TrimEnd('/') },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["Data__Directory"] = data;
        psi.Environment["RateLimiting__Enabled"] = "false";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (k, v) in extraEnv ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the API process.");
        var writer = new StreamWriter(logPath) { AutoFlush = true };
        var sync = TextWriter.Synchronized(writer);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) sync.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) sync.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, url, data, logPath);
        log.WriteLine($"server: pid {process.Id} at {url} (data {data}, log {logPath})");

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromMinutes(3))
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited) throw new InvalidOperationException($"The API exited with code {process.ExitCode}; see {logPath}.");
            try
            {
                using var r = await http.GetAsync("api/health", ct);
                if (r.StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(100, ct);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"The API did not become healthy in 3 minutes; see {logPath}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
