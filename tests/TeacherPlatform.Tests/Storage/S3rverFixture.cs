using System.Diagnostics;

namespace TeacherPlatform.Tests.Storage;

/// <summary>
/// Starts <c>node tests/services/s3rver.mjs 0</c> (a real S3 server that validates SigV4) once for the collection and
/// stops it afterwards. Needs <c>npm ci --prefix tests/services</c>; tests skip only when <c>node</c> is missing.
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string Bucket = "teacherplatform";
    public const string Credentials = "S3RVER";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private Process? _process;

    /// <summary>Why the S3 tests cannot run here, or null when the server is up.</summary>
    public string? SkipReason { get; private set; }

    public Uri Endpoint { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!NodeIsInstalled())
        {
            SkipReason = "node is not installed; the S3 contract tests need it to run tests/services/s3rver.mjs.";
            return;
        }

        var servicesDirectory = Path.Combine(RepositoryRoot.Find(), "tests", "services");
        if (!Directory.Exists(Path.Combine(servicesDirectory, "node_modules", "@20minutes", "s3rver")))
        {
            throw new InvalidOperationException($"s3rver is not installed: run `npm ci --prefix {servicesDirectory}`.");
        }

        // Port 0: the server picks a free port and reports it, so parallel test runs never collide.
        var start = new ProcessStartInfo("node", ["s3rver.mjs", "0"])
        {
            WorkingDirectory = servicesDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The script exits when its stdin closes, so it cannot outlive a crashed test host.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");

        using var timeout = new CancellationTokenSource(StartTimeout);
        while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("ready ", StringComparison.Ordinal))
            {
                Endpoint = new Uri(line["ready ".Length..].Trim());
                return;
            }
        }

        var error = await _process.StandardError.ReadToEndAsync(timeout.Token);
        throw new InvalidOperationException($"s3rver exited before it was ready: {error}");
    }

    public async Task DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private static bool NodeIsInstalled()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "node")) || File.Exists(Path.Combine(directory, "node.exe")));
    }
}

[CollectionDefinition(Name)]
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver";
}

internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TeacherPlatform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("TeacherPlatform.sln not found above the test binaries.");
    }
}
