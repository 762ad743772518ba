using System.Diagnostics;
using System.Globalization;
using TeacherPlatform.Evals.Client;

namespace TeacherPlatform.Evals.Load;

public sealed record ResourceSample(double Seconds, double? CpuPercent, double? MemoryMb);

public sealed record ResourceSummary(string Source, double? CpuAvgPercent, double? CpuMaxPercent, double? MemoryStartMb, double? MemoryEndMb,
    double? MemoryMaxMb, IReadOnlyList<ResourceSample> Samples)
{
    public double? MemoryGrowthMb => MemoryEndMb - MemoryStartMb;
}

/// <summary>
/// Samples the server's CPU (% of one core) and resident memory once a second: from /proc/&lt;pid&gt;/stat and status
/// when the pid is known and local, else from the process/runtime metrics on /metrics.
/// </summary>
public sealed class ServerSampler(int? pid, TeacherPlatformClient client)
{
    private static readonly double TicksPerSecond = 100; // Linux USER_HZ

    public string Source => UseProc ? $"/proc/{pid}" : "/metrics";
    private bool UseProc => pid is { } p && File.Exists($"/proc/{p}/stat");

    public async Task<ResourceSummary> RunAsync(CancellationToken ct)
    {
        var samples = new List<ResourceSample>();
        var sw = Stopwatch.StartNew();
        double? lastCpu = null;
        var lastT = 0.0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var (cpuSeconds, memMb) = await ReadAsync(ct);
                var t = sw.Elapsed.TotalSeconds;
                double? pct = null;
                if (cpuSeconds is { } c && lastCpu is { } l && t > lastT) pct = Math.Round(100 * (c - l) / (t - lastT), 1);
                if (cpuSeconds is not null) { lastCpu = cpuSeconds; lastT = t; }
                samples.Add(new ResourceSample(Math.Round(t, 1), pct, memMb is null ? null : Math.Round(memMb.Value, 1)));
                await Task.Delay(1000, ct);
            }
        }
        catch (OperationCanceledException) { }
        var cpu = samples.Where(s => s.CpuPercent is not null).Select(s => s.CpuPercent!.Value).ToList();
        var mem = samples.Where(s => s.MemoryMb is not null).Select(s => s.MemoryMb!.Value).ToList();
        return new ResourceSummary(Source, cpu.Count > 0 ? Math.Round(cpu.Average(), 1) : null, cpu.Count > 0 ? cpu.Max() : null,
            mem.Count > 0 ? mem[0] : null, mem.Count > 0 ? mem[^1] : null, mem.Count > 0 ? mem.Max() : null, samples);
    }

    private async Task<(double? CpuSeconds, double? MemoryMb)> ReadAsync(CancellationToken ct)
    {
        if (UseProc)
        {
            try
            {
                var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat", ct);
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // After "pid (comm) ": field 3 is state => utime is index 11, stime 12 in this slice.
                var cpu = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                double? mem = null;
                foreach (var line in await File.ReadAllLinesAsync($"/proc/{pid}/status", ct))
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                        mem = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
                return (cpu, mem);
            }
            catch (IOException) { return (null, null); }
        }
        try
        {
            var m = new PrometheusText(await client.MetricsTextAsync(ct));
            var cpu = m.First("process_cpu_time_seconds_total", "dotnet_process_cpu_time_seconds_total", "process_runtime_dotnet_cpu_time_seconds_total", "process_cpu_seconds_total");
            var mem = m.First("process_memory_usage_bytes", "dotnet_process_memory_working_set_bytes", "process_working_set_bytes", "process_resident_memory_bytes");
            return (cpu, mem / (1024 * 1024));
        }
        catch (HttpRequestException) { return (null, null); }
    }
}
