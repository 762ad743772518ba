using System.Text.RegularExpressions;
using TeacherPlatform.Api;

namespace TeacherPlatform.Tests.Operations;

/// <summary>docs/RUNBOOKS.md and docs/DEPLOYMENT.md name only commands the binary has; the runbook ones are tested.</summary>
public sealed partial class RunbookTests
{
    /// <summary>Commands run as a process by a test in this folder (OpsCliTests, SigningKeyRotationTests, here).</summary>
    private static readonly string[] Tested = ["migrate", "backup", "jobs", "retry-failed-jobs", "rotate-signing-key", "create-admin", "reindex"];

    [Fact]
    public void Every_command_the_docs_name_exists_and_every_runbook_command_is_tested()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        var runbooks = File.ReadAllText(Path.Combine(root, "docs", "RUNBOOKS.md"));
        var deployment = File.ReadAllText(Path.Combine(root, "docs", "DEPLOYMENT.md"));
        var units = string.Join("\n", Directory.GetFiles(Path.Combine(root, "deploy"), "*", SearchOption.AllDirectories).Select(File.ReadAllText));

        var inRunbooks = Commands(runbooks).ToHashSet();
        Assert.Superset(new HashSet<string> { "backup", "rotate-signing-key", "jobs", "retry-failed-jobs", "reindex", "migrate" }, inRunbooks);
        foreach (var command in inRunbooks)
        {
            Assert.True(Cli.IsCommand(command), $"RUNBOOKS.md names `{command}`, which the binary does not have");
            Assert.Contains(command, Tested);
        }
        foreach (var command in Commands(deployment).Concat(Commands(units)))
            Assert.True(Cli.IsCommand(command), $"deploy docs/files name `{command}`, which the binary does not have");
    }

    [Fact]
    public async Task Create_admin_and_reindex_run_as_commands()
    {
        var data = Directory.CreateTempSubdirectory("tp-cli-").FullName;
        var environment = new Dictionary<string, string?> { ["Data__Directory"] = data };
        var admin = await OpsKit.RunCliAsync(["create-admin", "--email", "ops@example.com", "--password", "Correct-Horse-7"], environment);
        Assert.True(admin.ExitCode == 0, admin.ToString());
        Assert.Contains("Administrator ops@example.com", admin.Stdout);
        var reindex = await OpsKit.RunCliAsync(["reindex"], environment);
        Assert.True(reindex.ExitCode == 0, reindex.ToString());
        Assert.Contains("Re-indexed 0 chunks", reindex.Stdout);
    }

    /// <summary>`tp COMMAND`, `TeacherPlatform.Api.dll COMMAND`, `src/Api -- COMMAND` and compose `run --rm migrate COMMAND`.</summary>
    private static IEnumerable<string> Commands(string text) =>
        CommandPattern().Matches(text).Select(m => m.Groups["c"].Value).Where(c => c.Length > 0);

    [GeneratedRegex(@"(?:`tp |\btp (?=[a-z])|TeacherPlatform\.Api\.dll |src/Api -- |run --rm migrate )(?<c>[a-z][a-z-]+)")]
    private static partial Regex CommandPattern();
}
