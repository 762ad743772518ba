using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using TeacherPlatform.Tests.Chat;
using TeacherPlatform.Tests.Infrastructure;
using TeacherPlatform.Tests.Projects;

namespace TeacherPlatform.Tests.Platform;

/// <summary>
/// The API as a real process, killed with SIGKILL at the worst moments and restarted on the same data: durable work
/// resumes, nothing is duplicated or orphaned, and SIGTERM drains within the shutdown timeout.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("tp-crash-").FullName;
    private PostgresTestDatabase? _postgres;

    public async Task InitializeAsync()
    {
        if (ApiFactory.IsPostgres) _postgres = await PostgresTestDatabases.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Data:Directory"] = _data,
            ["RateLimiting:Enabled"] = "false",
            ["Auth:Password:MemoryKib"] = "1024",
            ["Auth:Password:Iterations"] = "1",
            ["Ingestion:PollInterval"] = "00:00:00.200",
            // A crashed worker's job is taken over when its lease runs out: keep that short here.
            ["Ingestion:LeaseDuration"] = "00:00:03",
            // One chunk per embedding batch and a 30-page book: the embed stage lasts seconds, not the half second a
            // 10-page book in batches of two took, so the test observes it part-way (it once finished between two polls
            // while the loaded CI machine stalled the test process).
            ["Ingestion:EmbeddingBatchSize"] = "1",
        };
        if (_postgres is not null)
        {
            settings["Database:Provider"] = "Postgres";
            settings["Database:ConnectionString"] = _postgres.ConnectionString;
        }
        foreach (var (k, v) in extra) settings[k] = v;
        return settings;
    }

    [Fact]
    public async Task Killed_during_pdf_ingestion_the_job_resumes_after_restart_with_exactly_the_chunks_of_a_clean_run()
    {
        var settings = Settings();
        var api = await ApiProcess.StartServerAsync(settings);
        var (teacher, tokens) = await api.RegisterAsync("teacher");
        var pdf = Book(pages: 30);
        var crashed = await StartIngestAsync(api, teacher, "Crashed", pdf);
        await WaitForEmbeddingProgressAsync(teacher, crashed);

        await api.KillAsync();
        await using (api = await ApiProcess.StartServerAsync(settings))
        {
            using var again = api.CreateClient(tokens["access_token"]!.GetValue<string>());
            Assert.Equal("completed", (await WaitForStatusAsync(again, crashed))["status"]!.GetValue<string>());
            var clean = await StartIngestAsync(api, again, "Clean", pdf);
            Assert.Equal("completed", (await WaitForStatusAsync(again, clean))["status"]!.GetValue<string>());
        }

        await AssertSameChunksAsync(crashed, await OnlyOtherDocumentAsync(crashed));
    }

    [Fact]
    public async Task Worker_process_killed_mid_job_is_replaced_and_the_job_completes_once()
    {
        var settings = Settings(("Ingestion:RunWorkers", "false"));
        await using var api = await ApiProcess.StartServerAsync(settings);
        var (teacher, _) = await api.RegisterAsync("teacher");
        var pdf = Book(pages: 30);
        var worker = ApiProcess.StartWorker(Settings());
        var crashed = await StartIngestAsync(api, teacher, "Crashed", pdf);
        await WaitForEmbeddingProgressAsync(teacher, crashed, worker);
        await worker.KillAsync();
        await worker.DisposeAsync();

        await using (ApiProcess.StartWorker(Settings()))
        {
            Assert.Equal("completed", (await WaitForStatusAsync(teacher, crashed))["status"]!.GetValue<string>());
            var clean = await StartIngestAsync(api, teacher, "Clean", pdf);
            Assert.Equal("completed", (await WaitForStatusAsync(teacher, clean))["status"]!.GetValue<string>());
        }

        await AssertSameChunksAsync(crashed, await OnlyOtherDocumentAsync(crashed));
    }

    [Fact]
    public async Task Killed_between_upload_and_confirm_the_project_can_still_be_confirmed()
    {
        var settings = Settings();
        var api = await ApiProcess.StartServerAsync(settings);
        var (teacher, tokens) = await api.RegisterAsync("teacher");
        var created = await (await teacher.PostAsync("/api/projects", Json(new { title = "Nocturne", filename = "nocturne.pdf" }))).ReadJsonAsync();
        var id = created["project"]!["id"]!.GetValue<string>();
        using (var upload = new ByteArrayContent(ProjectTestKit.Pdf(4, "Nocturne")))
        {
            upload.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().PutAsync(created["upload_url"]!.GetValue<string>(), upload)).StatusCode);
        }

        await api.KillAsync();
        await using (api = await ApiProcess.StartServerAsync(settings))
        {
            using var again = api.CreateClient(tokens["access_token"]!.GetValue<string>());
            var confirm = await again.PostAsync($"/api/projects/{id}/confirm", Json(new { }));
            var body = await confirm.Content.ReadAsStringAsync();
            Assert.True(confirm.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal(4, JsonNode.Parse(body)!["page_count"]!.GetValue<int>());
            using var stream = await again.GetAsync($"/api/projects/{id}/stream");
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            Assert.StartsWith("%PDF-", Encoding.ASCII.GetString((await stream.Content.ReadAsByteArrayAsync())[..5]));
        }
    }

    [Fact]
    public async Task Killed_during_refresh_token_rotation_the_token_family_stays_consistent()
    {
        var settings = Settings();
        var api = await ApiProcess.StartServerAsync(settings);
        var (_, tokens) = await api.RegisterAsync("student");
        using var anon = api.CreateClient();
        var current = tokens["refresh_token"]!.GetValue<string>();
        for (var i = 0; i < 5; i++)
        {
            var rotated = await anon.PostAsync("/api/auth/refresh", Json(new { refresh_token = current }));
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
            current = (await rotated.ReadJsonAsync())["refresh_token"]!.GetValue<string>();
        }
        // A rotation in flight when the process dies: the client never learns its outcome.
        var inFlight = anon.PostAsync("/api/auth/refresh", Json(new { refresh_token = current }));
        await api.KillAsync();
        try { using var _ = await inFlight; } catch (HttpRequestException) { }

        await using (api = await ApiProcess.StartServerAsync(settings))
        {
            using var client = api.CreateClient();
            var retry = await client.PostAsync("/api/auth/refresh", Json(new { refresh_token = current }));
            // Either the rotation never committed (the token is still the live one) or it did, and presenting the
            // rotated token is reuse, which ends the family. Never a 5xx, never two live tokens.
            Assert.True(retry.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"{(int)retry.StatusCode}");
            if (retry.StatusCode == HttpStatusCode.OK)
            {
                var next = (await retry.ReadJsonAsync())["refresh_token"]!.GetValue<string>();
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/auth/refresh", Json(new { refresh_token = current }))).StatusCode);
                // Reuse of a rotated token revoked the whole family, the newest token included.
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/auth/refresh", Json(new { refresh_token = next }))).StatusCode);
            }
        }

        await using var db = await OpenAsync();
        var live = await db.QueryAsync<long>("""
            SELECT COUNT(*) FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
            WHERE t.rotated_at IS NULL AND s.revoked_at IS NULL GROUP BY s.id
            """);
        Assert.All(live, count => Assert.True(count <= 1, $"{count} live refresh tokens in one family"));
    }

    [Fact]
    public async Task Sigterm_during_a_streamed_answer_ends_the_stream_cleanly_and_the_process_exits_in_time()
    {
        await using var llm = new FakeOpenAiServer(_ => "Keep the fingers curved and the wrist loose while you practise slowly [1].",
            tokenDelay: TimeSpan.FromMilliseconds(100), repeat: 20);
        var settings = Settings([.. llm.Settings().Select(kv => (kv.Key, kv.Value!))]);
        await using var api = await ApiProcess.StartServerAsync(settings);
        var (teacher, _) = await api.RegisterAsync("teacher");
        var text = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 6).Select(i =>
            $"Finger independence, part {i}: keep the fingers curved, hold down the other keys and lift one finger at a time, slowly and evenly.")));
        var doc = await StartIngestAsync(api, teacher, "Independence", text, "text", "independence.txt", "text/plain");
        Assert.Equal("completed", (await WaitForStatusAsync(teacher, doc))["status"]!.GetValue<string>());

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat/query") { Content = Json(new { query = "How do I improve finger independence?" }) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await teacher.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await SseReader.ReadAsync(stream, stopAfter: 2);
        Assert.Equal(["sources", "token"], first.Select(e => e.Name));

        api.Terminate();
        List<SseEvent> rest;
        try { rest = await SseReader.ReadAsync(stream); }
        catch (IOException) { rest = []; }

        // The stream either finishes or says why it stopped; it is never cut without a last event.
        Assert.Contains(rest.LastOrDefault()?.Name, new[] { "done", "error" });
        Assert.True(await api.WaitForExitAsync(TimeSpan.FromSeconds(45)), "the process did not exit within the shutdown timeout");
    }

    // --- helpers ---

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, TestClients.Json), Encoding.UTF8, "application/json");

    private static byte[] Book(int pages) => TestDocuments.Pdf(Enumerable.Range(1, pages).Select(p => Enumerable.Range(1, 6).Select(i =>
        $"Chapter {p}, study {i}. Practise the passage slowly with a loose wrist, then in rhythms, then in groups of four notes; " +
        $"listen for an even tone on every note of study {i} on page {p} before you raise the metronome a few clicks.").ToArray()).ToArray());

    private static async Task<string> StartIngestAsync(ApiProcess api, HttpClient teacher, string title, byte[] bytes,
        string sourceType = "pdf", string filename = "book.pdf", string contentType = "application/pdf")
    {
        var created = await (await teacher.PostAsync("/api/knowledge", Json(new { title, source_type = sourceType, filename, is_public = false }))).ReadJsonAsync();
        var id = created["document"]!["id"]!.GetValue<string>();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var http = api.CreateClient();
        Assert.True((await http.PutAsync(created["upload_url"]!.GetValue<string>(), content)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await teacher.PostAsync($"/api/knowledge/{id}/process", null)).StatusCode);
        return id;
    }

    /// <summary>Waits until the job is part-way through embedding: some batches saved in memory, not finished.</summary>
    private static async Task WaitForEmbeddingProgressAsync(HttpClient teacher, string id, ApiProcess? worker = null)
    {
        await Eventually.TrueAsync(async () =>
        {
            if (worker is { HasExited: true }) throw new InvalidOperationException($"worker exited:\n{worker.Output}");
            var status = await (await teacher.GetAsync($"/api/knowledge/{id}/status")).ReadJsonAsync();
            Assert.NotEqual("completed", status["status"]!.GetValue<string>());
            return status["stage"]?.GetValue<string>() == "embed" && status["progress"]?["done"]?.GetValue<int>() > 0;
        }, "embedding to start");
    }

    private static async Task<JsonObject> WaitForStatusAsync(HttpClient user, string id)
    {
        JsonObject? last = null;
        await Eventually.TrueAsync(async () =>
        {
            last = await (await user.GetAsync($"/api/knowledge/{id}/status")).ReadJsonAsync();
            return last["status"]!.GetValue<string>() is "completed" or "failed";
        }, $"document {id} to finish");
        return last!;
    }

    private async Task<string> OnlyOtherDocumentAsync(string id)
    {
        await using var db = await OpenAsync();
        return (await db.QueryAsync<string>("SELECT CAST(id AS TEXT) FROM knowledge_documents")).Single(d => !string.Equals(d, id, StringComparison.OrdinalIgnoreCase));
    }

    private async Task AssertSameChunksAsync(string crashed, string clean)
    {
        await using var db = await OpenAsync();
        async Task<List<(long Index, string Text, long Page)>> ChunksAsync(string id) =>
            (await db.QueryAsync<(long, string, long)>(
                "SELECT chunk_index, text, page_number FROM knowledge_chunks WHERE CAST(document_id AS TEXT) = @id ORDER BY chunk_index",
                new { id = id.ToLowerInvariant() })).ToList();
        var a = await ChunksAsync(crashed);
        var b = await ChunksAsync(clean);
        Assert.NotEmpty(b);
        Assert.Equal(b, a);
        var jobs = (await db.QueryAsync<string>("SELECT status FROM ingestion_jobs WHERE CAST(document_id AS TEXT) = @id", new { id = crashed.ToLowerInvariant() })).ToList();
        Assert.Equal("succeeded", Assert.Single(jobs));
    }

    private async Task<DbConnection> OpenAsync()
    {
        DbConnection c = _postgres is not null
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Pooling = false }.ConnectionString)
            : new SqliteConnection($"Data Source={Path.Combine(_data, "teacherplatform.db")};Pooling=False");
        await c.OpenAsync();
        return c;
    }
}

/// <summary>Tests that run the API as child processes: one at a time, they are heavy.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "API processes";
}
