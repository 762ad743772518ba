using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TeacherPlatform.Evals.Reports;

public sealed record MachineInfo(string Hostname, int Cores, long MemoryBytes, string Os, string CpuModel, string Runtime)
{
    public static MachineInfo Current()
    {
        var cpu = "unknown";
        long mem = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
            if (File.Exists("/proc/meminfo"))
            {
                var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
                if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb)) mem = kb * 1024;
            }
        }
        catch (IOException) { }
        return new MachineInfo(Environment.MachineName, Environment.ProcessorCount, mem, RuntimeInformation.OSDescription, cpu,
            RuntimeInformation.FrameworkDescription);
    }
}

public static class BuildInfo
{
    /// <summary>"Release" or "Debug" for the assembly that holds <paramref name="t"/> (JIT optimiser on or off).</summary>
    public static string ConfigurationOf(Type t) =>
        t.Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled) ? "Debug" : "Release";
}

public sealed record GitInfo(string? Commit, string? Branch, bool? Dirty)
{
    public static GitInfo Current()
    {
        return new GitInfo(Git("rev-parse HEAD"), Git("rev-parse --abbrev-ref HEAD"), Git("status --porcelain") is { } s ? s.Length > 0 : null);

        static string? Git(string args)
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo("git", args)
                {
                    RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                });
                if (p is null) return null;
                var output = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit(5000);
                return p.ExitCode == 0 ? output : null;
            }
            catch (System.ComponentModel.Win32Exception) { return null; }
        }
    }
}
