using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using TeacherPlatform.Api.Infrastructure;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Operations;

/// <summary>The operator commands named by docs/RUNBOOKS.md, run as the real executable.</summary>
public sealed class OpsCliTests
{
    [Fact]
    public async Task Secrets_come_from_files_named_like_environment_variables()
    {
        var root = Directory.CreateTempSubdirectory("tp-secrets-").FullName;
        var secrets = Directory.CreateDirectory(Path.Combine(root, "secrets")).FullName;
        var database = Path.Combine(root, "from-secret-file.db");
        // Trailing newline as `echo … > file` or a Docker secret leaves it.
        await File.WriteAllTextAsync(Path.Combine(secrets, "Database__ConnectionString"), $"Data Source={database}\n");
        var result = await OpsKit.RunCliAsync(["migrate"], new Dictionary<string, string?>
        {
            ["Secrets__Directory"] = secrets,
            ["Data__Directory"] = Path.Combine(root, "data"),
        });
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(database), "the connection string came from the secret file");
        Assert.False(File.Exists(Path.Combine(root, "data", "teacherplatform.db")));

        // A missing secrets directory is a configuration error, not a silent fallback.
        var missing = await OpsKit.RunCliAsync(["migrate"], new Dictionary<string, string?>
        {
            ["Secrets__Directory"] = Path.Combine(root, "nope"),
            ["Data__Directory"] = Path.Combine(root, "data"),
        });
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("Secrets:Directory", missing.Stderr + missing.Stdout);
    }

    [Fact]
    public void Secret_files_override_appsettings_but_not_environment_variables()
    {
        var secrets = Directory.CreateTempSubdirectory("tp-secrets-").FullName;
        File.WriteAllText(Path.Combine(secrets, "Storage__S3__SecretKey"), "from-file");
        File.WriteAllText(Path.Combine(secrets, "OpsTest__Precedence"), "from-file");
        File.WriteAllText(Path.Combine(secrets, ".hidden"), "ignored");
        Environment.SetEnvironmentVariable("OpsTest__Precedence", "from-env");
        try
        {
            var configuration = new ConfigurationManager();
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Secrets:Directory"] = secrets,
                ["Storage:S3:SecretKey"] = "from-appsettings",
            });
            configuration.AddEnvironmentVariables();
            configuration.AddSecretFiles();
            Assert.Equal("from-file", configuration["Storage:S3:SecretKey"]);
            Assert.Equal("from-env", configuration["OpsTest:Precedence"]);
            Assert.Null(configuration[".hidden"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OpsTest__Precedence", null);
        }
    }

    [SkippableFact]
    public async Task Backup_copies_the_live_sqlite_database_consistently()
    {
        Skip.If(ApiFactory.IsPostgres, "backup is the SQLite command; PostgreSQL uses pg_dump");
        await using var factory = new ApiFactory();
        var user = await factory.RegisterAsync("teacher");
        var target = Path.Combine(Directory.CreateTempSubdirectory("tp-backup-").FullName, "nightly", "tp.db");
        var environment = OpsKit.AsEnvironment(factory.SharedStateSettings());

        // The service keeps running (and holding the database) while the backup is taken.
        var result = await OpsKit.RunCliAsync(["backup", target], environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("integrity ok", result.Stdout);
        await using (var copy = new SqliteConnection($"Data Source={target};Mode=ReadOnly;Pooling=False"))
        {
            await copy.OpenAsync();
            await using var cmd = copy.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM users WHERE email = $e";
            cmd.Parameters.AddWithValue("$e", user.Email);
            Assert.Equal(1L, await cmd.ExecuteScalarAsync());
        }

        // An existing file is not overwritten by accident.
        var again = await OpsKit.RunCliAsync(["backup", target], environment);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--force", again.Stderr);
        Assert.Equal(0, (await OpsKit.RunCliAsync(["backup", target, "--force"], environment)).ExitCode);
    }

    [SkippableFact]
    public async Task Jobs_lists_states_and_retry_failed_jobs_queues_failed_documents_again()
    {
        Skip.If(ApiFactory.IsPostgres, "the CLI would need a second PGlite connection");
        await using var factory = new ApiFactory();
        var teacher = await factory.RegisterAsync("teacher");
        // A broken PDF fails permanently.
        var created = await teacher.CreateAsync("Broken", "pdf", "broken.pdf");
        await factory.UploadAsync(created, "%PDF-1.7 this is not a pdf"u8.ToArray(), "application/pdf");
        var id = created["document"]!["id"]!.GetValue<string>();
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await teacher.Client.PostAsync($"/api/knowledge/{id}/process", null)).StatusCode);
        Assert.Equal("failed", (await teacher.WaitForAsync(id))["status"]!.GetValue<string>());

        var environment = OpsKit.AsEnvironment(factory.SharedStateSettings());
        var jobs = await OpsKit.RunCliAsync(["jobs"], environment);
        Assert.True(jobs.ExitCode == 0, jobs.ToString());
        Assert.Matches(@"failed\s+1", jobs.Stdout);
        Assert.Contains(id, jobs.Stdout);

        var retry = await OpsKit.RunCliAsync(["retry-failed-jobs"], environment);
        Assert.True(retry.ExitCode == 0, retry.ToString());
        Assert.Contains("Queued 1 failed document", retry.Stdout);
        // The running instance's workers pick the job up again (and it fails again: the file is still broken).
        await teacher.WaitForAsync(id, "processing", "failed");
    }
}
