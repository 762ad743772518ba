using System.Net;
using System.Net.Http.Headers;
using System.Text;
using StackExchange.Redis;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Chat;

/// <summary>The assistant with an OpenAI-compatible model (a local fake speaking the exact wire format).</summary>
public sealed class AssistantCacheTests
{
    private const string Question = "How do I improve finger independence?";

    [Fact]
    public async Task Repeated_question_is_served_from_cache_and_a_changed_or_deleted_document_changes_the_answer()
    {
        await using var llm = new FakeOpenAiServer();
        await using var factory = ApiFactory.With(llm.Settings());
        var teacher = await factory.RegisterAsync("teacher");
        var (technique, _, _) = await ChatCorpus.LoadAsync(factory, teacher);
        var student = await factory.RegisterAsync("student");

        var first = await (await student.Client.PostJsonAsync("/api/chat/query", new { query = Question })).ReadJsonAsync();
        Assert.False(first["cached"]!.GetValue<bool>());
        Assert.Equal(1, llm.Calls);
        var content = first["content"]!.GetValue<string>();
        Assert.Contains("five-finger", content);
        Assert.Contains("[1]", content);
        Assert.DoesNotContain("[9]", content); // invented citation removed
        Assert.Contains("finger independence", llm.LastRequest.GetProperty("messages")[1].GetProperty("content").GetString());
        Assert.Contains("[1] Technique book", llm.LastRequest.GetProperty("messages")[1].GetProperty("content").GetString());

        var second = await (await student.Client.PostJsonAsync("/api/chat/query", new { query = "  how do I improve finger independence " })).ReadJsonAsync();
        Assert.True(second["cached"]!.GetValue<bool>());
        Assert.Equal(1, llm.Calls); // not called again
        Assert.Equal(content, second["content"]!.GetValue<string>());
        var metrics = await factory.CreateClient().GetStringAsync("/metrics");
        Assert.Matches(@"cache_hits_total\{[^}]*layer=""answer""[^}]*\} [1-9]", metrics);

        // Re-processing the cited document changes its version: the next answer is computed afresh.
        Assert.Equal(HttpStatusCode.Accepted, (await teacher.Client.PostAsync($"/api/knowledge/{technique}/process", null)).StatusCode);
        await teacher.WaitForAsync(technique, "completed");
        var third = await (await student.Client.PostJsonAsync("/api/chat/query", new { query = Question })).ReadJsonAsync();
        Assert.False(third["cached"]!.GetValue<bool>());
        Assert.Equal(2, llm.Calls);

        // Deleting it removes it from the next answer's sources.
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync($"/api/knowledge/{technique}")).StatusCode);
        var fourth = await (await student.Client.PostJsonAsync("/api/chat/query", new { query = Question })).ReadJsonAsync();
        Assert.False(fourth["cached"]!.GetValue<bool>());
        Assert.DoesNotContain(fourth["sources"]!.AsArray(), s => s!["document_id"]!.GetValue<string>() == technique);
    }

    [Fact]
    public async Task Private_documents_never_reach_other_teachers_students_cached_answers_included()
    {
        await using var llm = new FakeOpenAiServer(_ => "The moonstone legato drill connects notes [1].");
        await using var factory = ApiFactory.With(llm.Settings());
        var teacherA = await factory.RegisterAsync("teacher");
        var teacherB = await factory.RegisterAsync("teacher");
        var studentA = await factory.RegisterAsync("student");
        var studentB = await factory.RegisterAsync("student");
        await teacherA.LinkAsync(studentA);
        await teacherB.LinkAsync(studentB);
        var privateDoc = await factory.IngestAsync(teacherA, "Studio secrets", "text", "secrets.txt",
            Encoding.UTF8.GetBytes("The moonstone legato drill connects every note of a five-finger pattern with overlapping key releases and a relaxed wrist."), "text/plain");

        const string q = "What is the moonstone legato drill?";
        var forA = await (await studentA.Client.PostJsonAsync("/api/chat/query", new { query = q })).ReadJsonAsync();
        Assert.Contains(forA["sources"]!.AsArray(), s => s!["document_id"]!.GetValue<string>() == privateDoc);

        var forB = await (await studentB.Client.PostJsonAsync("/api/chat/query", new { query = q })).ReadJsonAsync();
        Assert.False(forB["cached"]!.GetValue<bool>());
        Assert.DoesNotContain(forB["sources"]!.AsArray(), s => s!["document_id"]!.GetValue<string>() == privateDoc);
        Assert.DoesNotContain("moonstone legato drill connects", forB["content"]!.GetValue<string>());
        var forBAgain = await (await studentB.Client.PostJsonAsync("/api/chat/query", new { query = q, document_ids = new[] { privateDoc } })).ReadJsonAsync();
        Assert.Empty(forBAgain["sources"]!.AsArray());
        Assert.Equal("LOW", forBAgain["confidence"]!.GetValue<string>());
    }

    [Fact]
    public async Task Client_disconnect_cancels_the_upstream_model_call()
    {
        await using var llm = new FakeOpenAiServer(_ => "Practise slowly with a relaxed hand and listen carefully [1].", tokenDelay: TimeSpan.FromMilliseconds(200), repeat: 30);
        await using var factory = ApiFactory.With(llm.Settings());
        var teacher = await factory.RegisterAsync("teacher");
        await ChatCorpus.LoadAsync(factory, teacher);
        var student = await factory.RegisterAsync("student");

        using var cts = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat/query") { Content = new StringContent($$"""{"query":"{{Question}}"}""", Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await student.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        // Three events: the sources and two tokens. A LOW answer's first token is the weak-evidence preamble, sent before
        // the model is called, so only the second token proves that the model call is under way.
        var events = await SseReader.ReadAsync(await response.Content.ReadAsStreamAsync(cts.Token), stopAfter: 3, cts.Token);
        Assert.Equal(["sources", "token", "token"], events.Select(e => e.Name));
        Assert.Equal(1, llm.Calls);
        await cts.CancelAsync();
        response.Dispose();
        await llm.Aborted.Task.WaitAsync(TimeSpan.FromSeconds(60)); // the fake model sees the API drop its request
    }

    [Fact]
    public async Task Model_failure_mid_stream_ends_with_an_error_event()
    {
        await using var llm = new FakeOpenAiServer(failAfterTokens: 3);
        await using var factory = ApiFactory.With(llm.Settings());
        var teacher = await factory.RegisterAsync("teacher");
        await ChatCorpus.LoadAsync(factory, teacher);
        var student = await factory.RegisterAsync("student");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat/query") { Content = new StringContent($$"""{"query":"{{Question}}"}""", Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await student.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await SseReader.ReadAsync(await response.Content.ReadAsStreamAsync());
        Assert.Equal("sources", events[0].Name);
        Assert.Equal("error", events[^1].Name);
        Assert.Equal("llm_stream_failed", events[^1].Data["code"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Name == "done");

        // The JSON path answers 502 with a problem.
        await (await student.Client.PostJsonAsync("/api/chat/query", new { query = "How long should I practise trills each day?" }))
            .AssertProblemAsync(HttpStatusCode.BadGateway, "llm_stream_failed");
    }

    [SkippableFact]
    public async Task Redis_is_the_distributed_layer_and_an_unreachable_redis_degrades_to_a_miss()
    {
        var redis = Environment.GetEnvironmentVariable("TEST_REDIS");
        Skip.If(string.IsNullOrEmpty(redis), "TEST_REDIS is not set (scripts/test.sh starts redis-server and sets it)");
        var prefix = $"tp-test-{Guid.NewGuid():N}:";
        await using (var factory = ApiFactory.With(new Dictionary<string, string?> { ["Cache:Redis"] = redis, ["Cache:InstanceName"] = prefix }))
        {
            var teacher = await factory.RegisterAsync("teacher");
            await ChatCorpus.LoadAsync(factory, teacher);
            var student = await factory.RegisterAsync("student");
            Assert.False((await (await student.Client.PostJsonAsync("/api/chat/query", new { query = Question })).ReadJsonAsync())["cached"]!.GetValue<bool>());
            Assert.True((await (await student.Client.PostJsonAsync("/api/chat/query", new { query = Question })).ReadJsonAsync())["cached"]!.GetValue<bool>());
            await using var mux = await ConnectionMultiplexer.ConnectAsync(redis!);
            var keys = mux.GetServer(mux.GetEndPoints()[0]).Keys(pattern: prefix + "*").ToList();
            Assert.NotEmpty(keys);
        }
        await using (var down = ApiFactory.With(new Dictionary<string, string?> { ["Cache:Redis"] = "127.0.0.1:1,connectTimeout=200" }))
        {
            var teacher = await down.RegisterAsync("teacher");
            await ChatCorpus.LoadAsync(down, teacher);
            var student = await down.RegisterAsync("student");
            var response = await student.Client.PostJsonAsync("/api/chat/query", new { query = Question });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEmpty((await response.ReadJsonAsync())["sources"]!.AsArray());
        }
    }
}
