using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using TeacherPlatform.Tests.Chat;
using TeacherPlatform.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace TeacherPlatform.Tests.Operations;

/// <summary>
/// deploy/ is checked against the code: every setting the deploy files set exists in the service's options, the
/// required ones are present, the alert rules pass promtool, and every metric the dashboard and rules name is
/// exposed by a running instance after a short workload.
/// </summary>
// The live scrape needs to be the only host in the process: meters of the same name in other test hosts (one process,
// many hosts, which never happens in production) can take over this host's metric streams in the OpenTelemetry SDK.
[Collection(TeacherPlatform.Tests.Platform.ProcessCollection.Name)]
public sealed partial class DeployFilesTests
{
    private static readonly string Root = FindRoot();
    private static string Deploy(string path) => Path.Combine(Root, "deploy", path);

    // ---- configuration keys ----------------------------------------------------------------------------------

    /// <summary>Top-level sections of the API and the type each binds to.</summary>
    private static readonly Dictionary<string, Type?> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Data"] = typeof(TeacherPlatform.Core.Configuration.DataOptions),
        ["Database"] = typeof(TeacherPlatform.Core.Persistence.DatabaseOptions),
        ["Auth"] = typeof(TeacherPlatform.Api.Auth.AuthOptions),
        ["RateLimiting"] = typeof(TeacherPlatform.Api.Infrastructure.RateLimitOptions),
        ["Cors"] = typeof(TeacherPlatform.Api.Infrastructure.CorsOptions),
        ["Api"] = typeof(TeacherPlatform.Api.Infrastructure.ApiOptions),
        ["Storage"] = typeof(TeacherPlatform.Core.Storage.StorageOptions),
        ["Projects"] = typeof(TeacherPlatform.Api.Features.Projects.ProjectOptions),
        ["Embeddings"] = typeof(EmbeddingsSchema),
        ["Search"] = typeof(TeacherPlatform.Ai.Retrieval.SearchOptions),
        ["Ingestion"] = typeof(TeacherPlatform.Ingestion.IngestionOptions),
        ["Llm"] = typeof(TeacherPlatform.Ai.Connectors.ChatConnectorOptions),
        ["Rag"] = typeof(TeacherPlatform.Ai.Rag.RagOptions),
        ["Cache"] = typeof(TeacherPlatform.Api.Infrastructure.CacheOptions),
        ["ForwardedHeaders"] = typeof(TeacherPlatform.Api.Infrastructure.ForwardedHeadersSettings),
        ["Metrics"] = typeof(TeacherPlatform.Api.Infrastructure.MetricsSettings),
        ["Health"] = typeof(TeacherPlatform.Api.Infrastructure.HealthOptions),
        ["Secrets"] = typeof(SecretsSchema),
        ["Logging"] = null, // free-form (categories)
    };

    /// <summary>Embeddings are bound by hand in AddEmbeddings; this mirrors the keys it reads.</summary>
    private sealed class EmbeddingsSchema
    {
        public string? Provider { get; set; }
        public LocalSchema Local { get; set; } = new();
        public TeacherPlatform.Ai.Embeddings.WorkersAiEmbeddingOptions? WorkersAi { get; set; }
        public TeacherPlatform.Ai.Embeddings.OpenAiEmbeddingOptions? OpenAi { get; set; }
        public sealed class LocalSchema { public int IntraOpThreads { get; set; } public int BatchSize { get; set; } }
    }

    private sealed class SecretsSchema { public string? Directory { get; set; } }

    private static readonly string[] PlatformVariables = ["ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_gcServer", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"];

    [Fact]
    public void Deploy_files_set_only_settings_the_api_has_and_all_it_requires()
    {
        var problems = new List<string>();
        foreach (var (source, settings) in ApiSettingSets())
        {
            foreach (var key in settings.Keys)
                if (Check(key) is { } problem) problems.Add($"{source}: {key}: {problem}");
            problems.AddRange(MissingRequired(settings).Select(m => $"{source}: missing {m}"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_key_checker_rejects_unknown_settings()
    {
        // Guards the test above against passing vacuously.
        Assert.NotNull(Check("Database__ConnectionStrin"));
        Assert.NotNull(Check("Storage__S3__Secret"));
        Assert.NotNull(Check("Nope__Key"));
        Assert.Null(Check("Cors__AllowedOrigins__0"));
        Assert.Null(Check("Llm__WorkersAi__ApiToken"));
        Assert.Null(Check("Embeddings__Local__BatchSize"));
        Assert.Contains("Database__ConnectionString", MissingRequired(new Dictionary<string, string> { ["Database__Provider"] = "Postgres" }));
        Assert.Contains("Storage__S3__Bucket", MissingRequired(new Dictionary<string, string> { ["Storage__Provider"] = "S3" }));
    }

    [Fact]
    public void Compose_runs_two_api_instances_one_worker_and_the_edge_with_shared_state()
    {
        var services = ComposeServices();
        foreach (var name in new[] { "postgres", "redis", "minio", "migrate", "api1", "api2", "worker", "edge" })
            Assert.True(services.ContainsKey(name), $"compose service {name}");
        Assert.StartsWith("pgvector/pgvector", Scalar(services["postgres"], "image"));
        Assert.Equal("worker", ((YamlSequenceNode)services["worker"].Children[new YamlScalarNode("command")]).Children[0].ToString());
        Assert.Equal("migrate", ((YamlSequenceNode)services["migrate"].Children[new YamlScalarNode("command")]).Children[0].ToString());
        var edgeEnv = Environment(services["edge"]);
        Assert.Equal("http://api1:8080", edgeEnv["Edge__Upstreams__0"]);
        Assert.Equal("http://api2:8080", edgeEnv["Edge__Upstreams__1"]);
        foreach (var key in edgeEnv.Keys)
            Assert.True(key.StartsWith("Edge__", StringComparison.Ordinal) || key.StartsWith("Logging__", StringComparison.Ordinal) || PlatformVariables.Contains(key), $"edge setting {key}");
        foreach (var api in new[] { "api1", "api2", "worker" })
        {
            var settings = ServiceSettings(services[api]);
            // Migrations are their own step; workers are their own process; limits shared through Redis.
            Assert.Equal("false", settings["Database__MigrateOnStartup"]);
            Assert.Equal("false", settings["Ingestion__RunWorkers"]);
            Assert.True(settings.ContainsKey("Cache__Redis"), $"{api} shares limits and cache through Redis");
        }
        foreach (var dockerfile in new[] { "api.Dockerfile", "edge.Dockerfile" })
        {
            var text = File.ReadAllText(Deploy(dockerfile));
            Assert.True(Regex.Matches(text, @"^FROM ", RegexOptions.Multiline).Count >= 2, $"{dockerfile} is multi-stage");
            Assert.Matches(new Regex(@"^USER app$", RegexOptions.Multiline), text);
            Assert.Matches(new Regex(@"^HEALTHCHECK ", RegexOptions.Multiline), text);
        }
    }

    private static string? Check(string key)
    {
        if (PlatformVariables.Contains(key)) return null;
        var parts = key.Split("__");
        if (parts.Length < 2) return "not a Section__Key setting";
        if (!Sections.TryGetValue(parts[0], out var type)) return $"unknown section {parts[0]}";
        if (type is null) return null;
        for (var i = 1; i < parts.Length; i++)
        {
            var element = ElementType(type);
            if (element is not null)
            {
                if (!int.TryParse(parts[i], out _)) return $"{parts[i]} is not an index of {type.Name}";
                type = element;
                continue;
            }
            var property = type.GetProperty(parts[i], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite) return $"{type.Name} has no setting {parts[i]}";
            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }
        return IsLeaf(type) ? null : $"{type.Name} is a section, not a value";
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(List<>) || d == typeof(IList<>) || d == typeof(IReadOnlyList<>)) ? type.GetGenericArguments()[0]
        : null;

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal) || type == typeof(Uri);

    /// <summary>Settings that become required once another setting selects a provider.</summary>
    private static IEnumerable<string> MissingRequired(IReadOnlyDictionary<string, string> s)
    {
        string Get(string key) => s.TryGetValue(key, out var v) ? v : "";
        bool Is(string key, string value) => string.Equals(Get(key), value, StringComparison.OrdinalIgnoreCase);
        var rules = new List<(bool When, string Key)>
        {
            (Is("Database__Provider", "Postgres"), "Database__ConnectionString"),
            (Is("Storage__Provider", "S3"), "Storage__S3__Bucket"),
            (Is("Llm__Provider", "workersai"), "Llm__WorkersAi__AccountId"),
            (Is("Llm__Provider", "workersai"), "Llm__WorkersAi__ApiToken"),
            (Is("Llm__Provider", "openai"), "Llm__OpenAi__Endpoint"),
            (Is("Llm__Provider", "openai"), "Llm__OpenAi__Model"),
            (Is("Embeddings__Provider", "workersai"), "Embeddings__WorkersAi__AccountId"),
            (Is("Embeddings__Provider", "workersai"), "Embeddings__WorkersAi__ApiToken"),
            (Is("Embeddings__Provider", "openai"), "Embeddings__OpenAi__Endpoint"),
            (Is("Embeddings__Provider", "openai"), "Embeddings__OpenAi__Model"),
            (Is("Embeddings__Provider", "openai"), "Embeddings__OpenAi__Dimensions"),
        };
        return rules.Where(r => r.When && !s.ContainsKey(r.Key)).Select(r => r.Key).Distinct();
    }

    /// <summary>Every place deploy/ configures the API: compose services (environment + secret files), .env.example, systemd.</summary>
    private static IEnumerable<(string Source, IReadOnlyDictionary<string, string> Settings)> ApiSettingSets()
    {
        var services = ComposeServices();
        foreach (var name in new[] { "migrate", "api1", "api2", "worker" })
            yield return ($"compose.yaml {name}", ServiceSettings(services[name]));
        yield return (".env.example", EnvFile(Deploy(".env.example"), onlySettings: true));
        var systemd = EnvFile(Deploy("systemd/teacherplatform.env"), onlySettings: false);
        foreach (var unit in Directory.GetFiles(Deploy("systemd"), "*.service"))
        {
            var merged = new Dictionary<string, string>(systemd);
            foreach (Match m in EnvironmentLine().Matches(File.ReadAllText(unit))) merged[m.Groups[1].Value] = m.Groups[2].Value;
            yield return ($"systemd/{Path.GetFileName(unit)}", merged);
        }
    }

    private static Dictionary<string, string> ServiceSettings(YamlMappingNode service)
    {
        var settings = Environment(service);
        if (service.Children.TryGetValue(new YamlScalarNode("secrets"), out var secrets))
            foreach (var secret in ((YamlSequenceNode)secrets).Children)
            {
                // A secret mounted at /run/secrets/<target> is a setting when its name is a Section__Key.
                var target = secret is YamlMappingNode m ? Scalar(m, "target") : secret.ToString();
                if (target.Contains("__", StringComparison.Ordinal)) settings[target] = "(secret file)";
            }
        return settings;
    }

    private static Dictionary<string, string> Environment(YamlMappingNode service)
    {
        var result = new Dictionary<string, string>();
        if (!service.Children.TryGetValue(new YamlScalarNode("environment"), out var env)) return result;
        if (env is YamlMappingNode map)
            foreach (var (k, v) in map.Children) result[k.ToString()] = v.ToString();
        else
            foreach (var item in ((YamlSequenceNode)env).Children) { var kv = item.ToString().Split('=', 2); result[kv[0]] = kv.Length > 1 ? kv[1] : ""; }
        return result;
    }

    private static Dictionary<string, YamlMappingNode> ComposeServices()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Deploy("compose.yaml"))) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var services = (YamlMappingNode)root.Children[new YamlScalarNode("services")];
        return services.Children.ToDictionary(s => s.Key.ToString(), s => Merge((YamlMappingNode)s.Value));
    }

    /// <summary>Applies YAML merge keys (`&lt;&lt;: *anchor`), which the representation model leaves as entries.</summary>
    private static YamlMappingNode Merge(YamlMappingNode node)
    {
        var merge = new YamlScalarNode("<<");
        if (!node.Children.TryGetValue(merge, out var baseNode)) return node;
        var result = new YamlMappingNode();
        foreach (var (k, v) in Merge((YamlMappingNode)baseNode).Children) result.Children[k] = v;
        foreach (var (k, v) in node.Children) if (!k.Equals(merge)) result.Children[k] = v;
        return result;
    }

    private static string Scalar(YamlMappingNode node, string key) => node.Children[new YamlScalarNode(key)].ToString();

    private static Dictionary<string, string> EnvFile(string path, bool onlySettings)
    {
        var result = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(path))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            var kv = trimmed.Split('=', 2);
            // .env.example also carries compose's own variables (POSTGRES_DB, TP_IMAGE_TAG…), which are not settings.
            if (onlySettings && !kv[0].Contains("__", StringComparison.Ordinal)) continue;
            result[kv[0]] = kv.Length > 1 ? kv[1] : "";
        }
        return result;
    }

    [GeneratedRegex(@"^Environment=([A-Za-z_][A-Za-z0-9_]*)=(.*)$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();

    // ---- alerts, dashboard and the live scrape ---------------------------------------------------------------

    [Fact]
    public async Task Alert_rules_pass_promtool()
    {
        var (exit, output) = await RunAsync(Promtool(), "check", "rules", Deploy("prometheus/alerts.yml"));
        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public async Task Every_metric_in_the_dashboard_and_the_rules_is_exposed_after_a_short_workload()
    {
        var promtool = Promtool(); // fails (not skips) when prometheus is missing: .ci/run installs it
        var wanted = MetricNamesIn(DashboardExpressions().Concat(RuleExpressions()));
        Assert.Contains("http_server_request_duration_seconds_bucket", wanted);
        Assert.Contains("ingestion_queue_depth", wanted);

        await using var factory = ApiFactory.With(new Dictionary<string, string?>
        {
            ["Metrics:SampleInterval"] = "00:00:00.200",
            ["Metrics:HealthCheckPeriod"] = "00:00:01",
        });
        // Workload: sign-ups, an ingested corpus, searches and assistant answers (twice, so caches hit).
        var teacher = await factory.RegisterAsync("teacher");
        await ChatCorpus.LoadAsync(factory, teacher);
        var student = await factory.RegisterAsync("student");
        for (var i = 0; i < 2; i++)
        {
            await student.SearchAsync("finger independence exercises");
            var answer = await student.Client.PostJsonAsync("/api/chat/query", new { query = "How do I improve finger independence?" });
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }
        await student.Client.GetAsync($"/api/knowledge/{Guid.NewGuid()}"); // a 404 for the error-rate series

        // The gauges are sampled in the background: wait until the scrape shows the finished jobs.
        var client = factory.CreateClient();
        string exposition = "";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            exposition = await client.GetStringAsync("/metrics");
            if (SucceededJobs().IsMatch(exposition) && exposition.Contains("health_check_status{", StringComparison.Ordinal)) break;
            await Task.Delay(200);
        }
        var exposed = SampleNames(exposition);
        var missing = wanted.Where(m => !exposed.Contains(m)).OrderBy(m => m).ToList();
        Assert.True(missing.Count == 0, $"named in deploy/ but not exposed: {string.Join(", ", missing)}\n\nexposed: {string.Join(", ", exposed.Order())}");

        // The scrape itself is valid Prometheus text (promtool parses it; lint findings are not failures).
        var file = Path.Combine(factory.DataDirectory, "scrape.txt");
        await File.WriteAllTextAsync(file, exposition);
        var (_, lint) = await RunAsync("/bin/sh", "-c", $"{promtool} check metrics < '{file}'");
        Assert.DoesNotContain("error while linting", lint);
    }

    [GeneratedRegex(@"ingestion_jobs_by_state\{[^}]*state=""succeeded""[^}]*\} [1-9]")]
    private static partial Regex SucceededJobs();

    private static IEnumerable<string> DashboardExpressions()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Deploy("grafana/teacherplatform-dashboard.json")))!;
        return json["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => t!["expr"]!.GetValue<string>());
    }

    private static IEnumerable<string> RuleExpressions()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Deploy("prometheus/alerts.yml"))) yaml.Load(reader);
        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("groups")];
        return groups.Children.SelectMany(g => ((YamlSequenceNode)((YamlMappingNode)g).Children[new YamlScalarNode("rules")]).Children)
            .Select(r => ((YamlMappingNode)r).Children[new YamlScalarNode("expr")].ToString());
    }

    private static readonly HashSet<string> PromQlWords = new(StringComparer.Ordinal)
    {
        "sum", "min", "max", "avg", "count", "rate", "irate", "increase", "delta", "histogram_quantile", "clamp_min", "clamp_max",
        "by", "without", "and", "or", "unless", "offset", "on", "ignoring", "group_left", "group_right", "abs", "absent", "topk", "bottomk",
        "le", "bool", "time", "vector", "scalar",
    };

    /// <summary>Metric names in PromQL: identifiers left after removing label matchers, groupings, ranges, strings and functions.</summary>
    public static HashSet<string> MetricNamesIn(IEnumerable<string> expressions)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var expr in expressions)
        {
            var e = Regex.Replace(expr, @"""[^""]*""", " ");
            e = Regex.Replace(e, @"\{[^}]*\}", " ");
            e = Regex.Replace(e, @"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ");
            e = Regex.Replace(e, @"\[[^\]]*\]", " ");
            foreach (Match m in Regex.Matches(e, @"(?<![\w.])(?>[a-zA-Z_:][a-zA-Z0-9_:]*)(?!\s*\()"))
                if (!PromQlWords.Contains(m.Value) && !Regex.IsMatch(m.Value, @"^\d")) names.Add(m.Value);
        }
        names.Remove("e"); // exponent of 1e-9
        return names;
    }

    private static HashSet<string> SampleNames(string exposition) =>
        exposition.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('{', ' ')[0]).ToHashSet(StringComparer.Ordinal);

    private static string Promtool()
    {
        foreach (var candidate in new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" })
            if (File.Exists(candidate)) return candidate;
        throw new InvalidOperationException("promtool is missing: apt-get install prometheus (.ci/run installs it)");
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TeacherPlatform.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
