using System.Diagnostics;
using System.Net;

namespace TeacherPlatform.Evals.Hosting;

/// <summary>
/// What the API and edge launchers share: finding the newest built dll, starting it with <c>dotnet</c> on a loopback URL
/// with its output in a log file, waiting until its health endpoint answers 200, and killing it.
/// </summary>
internal static class ChildProcess
{
    /// <summary>
    /// The project's dll in the configuration these evals were built with (a Release evals run measures the Release
    /// server even when a newer Debug build sits beside it, e.g. after running the tests), else the other one.
    /// </summary>
    public static string FindDll(string project, string dll, params string[] extraCandidates)
    {
        var own = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var candidates = new List<string>();
        if (Reports.ResultStore.FindRepoRoot() is { } root)
            foreach (var config in new[] { own, own == "Release" ? "Debug" : "Release" })
                candidates.Add(Path.Combine(root, "src", project, "bin", config, "net10.0", dll));
        candidates.AddRange(extraCandidates);
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{dll} not found: build src/{project} first (dotnet build src/{project} -c Release).");
    }

    public static Process Start(string dll, Uri url, IEnumerable<KeyValuePair<string, string>> environment, string logPath, string name)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", url.ToString().TrimEnd('/') },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start the {name} process.");
        var writer = new StreamWriter(logPath) { AutoFlush = true };
        var sync = TextWriter.Synchronized(writer);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) sync.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) sync.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <returns>true once <paramref name="healthPath"/> answers 200; false when <paramref name="patience"/> ran out.</returns>
    public static async Task<bool> WaitHealthyAsync(Process process, Uri url, string healthPath, TimeSpan patience, TimeSpan poll,
        string name, string logPath, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < patience)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited) throw new InvalidOperationException($"The {name} exited with code {process.ExitCode}; see {logPath}.");
            try
            {
                using var r = await http.GetAsync(healthPath, ct);
                if (r.StatusCode == HttpStatusCode.OK) return true;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(poll, ct);
        }
        return false;
    }

    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
