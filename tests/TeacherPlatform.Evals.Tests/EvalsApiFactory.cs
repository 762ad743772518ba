using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TeacherPlatform.Evals.Commands;
using TeacherPlatform.Evals.Reports;

namespace TeacherPlatform.Evals.Tests;

/// <summary>The real API in-process on embedded defaults (SQLite in a temp dir), rate limiting off.</summary>
public sealed class EvalsApiFactory : WebApplicationFactory<Program>
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("tp-evals-test-").FullName;
    public string ResultsDirectory { get; } = Directory.CreateTempSubdirectory("tp-evals-results-").FullName;

    public static string RepoRoot => ResultStore.FindRepoRoot() ?? throw new InvalidOperationException("repo root not found");
    public static string Tiny => Path.Combine(RepoRoot, "evals", "datasets", "tiny");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Data:Directory"] = DataDirectory,
            ["RateLimiting:Enabled"] = "false",
            ["Auth:Password:MemoryKib"] = "1024",
            ["Auth:Password:Iterations"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:Console:FormatterName"] = "simple",
        }));
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        host.Services.GetRequiredService<TeacherPlatform.Api.Infrastructure.StartupTasks>().RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        return host;
    }

    public CommandEnv Env(TextWriter? output = null)
    {
        _ = Server; // start the host
        return new CommandEnv
        {
            BaseUrl = Server.BaseAddress,
            HandlerFactory = () => Server.CreateHandler(),
            ResultsDirectory = ResultsDirectory,
            Out = output ?? TextWriter.Null,
            ServerPid = Environment.ProcessId,
        };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var d in new[] { DataDirectory, ResultsDirectory })
            try { Directory.Delete(d, recursive: true); } catch (IOException) { }
    }
}
