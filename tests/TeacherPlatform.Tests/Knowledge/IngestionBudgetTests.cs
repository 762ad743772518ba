using System.Net;
using System.Text;
using TeacherPlatform.Ingestion.Jobs;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

/// <summary>Hostile uploads fail once, permanently, with a stable code; one user's queue cannot starve another's.</summary>
public sealed class IngestionBudgetTests
{
    [Fact]
    public async Task Flate_bomb_pdf_fails_once_with_resource_limits_exceeded()
    {
        await using var factory = new ApiFactory();
        var student = await factory.RegisterAsync("student"); // any user may upload private documents
        var (id, status) = await ProcessAsync(factory, student, "bomb.pdf", "pdf", HostileInputs.FlateBombPdf(1L << 30), "application/pdf");

        Assert.Equal("failed", status["status"]!.GetValue<string>());
        Assert.Equal("resource_limits_exceeded", status["error"]!["code"]!.GetValue<string>());
        await AssertSingleAttemptAsync(factory, id);
    }

    [Fact]
    public async Task Pdf_nested_deeper_than_the_limit_fails_once_with_resource_limits_exceeded()
    {
        await using var factory = new ApiFactory();
        var teacher = await factory.RegisterAsync("teacher");
        var (id, status) = await ProcessAsync(factory, teacher, "nested.pdf", "pdf", HostileInputs.DeeplyNestedPdf(300), "application/pdf");

        Assert.Equal("resource_limits_exceeded", status["error"]!["code"]!.GetValue<string>());
        await AssertSingleAttemptAsync(factory, id);
    }

    [Fact]
    public async Task Deeply_nested_html_fails_once_with_resource_limits_exceeded()
    {
        await using var factory = new ApiFactory();
        var teacher = await factory.RegisterAsync("teacher");
        var (id, status) = await ProcessAsync(factory, teacher, "deep.html", "web", Encoding.UTF8.GetBytes(HostileInputs.DeeplyNestedHtml(100_000)), "text/html");

        Assert.Equal("resource_limits_exceeded", status["error"]!["code"]!.GetValue<string>());
        await AssertSingleAttemptAsync(factory, id);
    }

    [Theory]
    [InlineData("2000000:00:00.000")]
    [InlineData("99999999999999999999:00:00.000")]
    public async Task Transcript_with_an_absurd_timestamp_fails_once_with_invalid_timestamp(string timestamp)
    {
        await using var factory = new ApiFactory();
        var teacher = await factory.RegisterAsync("teacher");
        var vtt = $"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nWelcome to the lesson.\n\n{timestamp} --> {timestamp}\nHostile cue.\n";
        var (id, status) = await ProcessAsync(factory, teacher, "talk.vtt", "video", Encoding.UTF8.GetBytes(vtt), "text/vtt");

        Assert.Equal("invalid_timestamp", status["error"]!["code"]!.GetValue<string>());
        Assert.DoesNotContain("Exception", status["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertSingleAttemptAsync(factory, id);
    }

    [Fact]
    public async Task Jobs_are_leased_fairly_across_owners()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Ingestion:RunWorkers"] = "false" });
        var busy = await factory.RegisterAsync("teacher");
        var other = await factory.RegisterAsync("teacher");
        var text = Encoding.UTF8.GetBytes("Keep the wrist loose and let the arm carry the hand across the keyboard.");
        var busyDocs = new List<string>();
        for (var i = 0; i < 3; i++) busyDocs.Add(await QueueAsync(factory, busy, $"busy-{i}.txt", text));
        var otherDoc = await QueueAsync(factory, other, "other.txt", text); // queued after all of the busy teacher's jobs

        var queue = factory.Services.GetRequiredService<IngestionJobQueue>();
        var worker = factory.Services.GetRequiredService<IngestionWorker>();
        var first = await queue.LeaseNextAsync("w1", CancellationToken.None);
        Assert.Equal(busyDocs[0], first!.DocumentId.ToString()); // nobody served yet: oldest job first
        await worker.RunJobAsync(first, "w1", CancellationToken.None);

        // The busy teacher was just served; the other teacher, never: they go next despite queueing last.
        var second = await queue.LeaseNextAsync("w1", CancellationToken.None);
        Assert.Equal(otherDoc, second!.DocumentId.ToString());

        // While the other teacher's job runs and the busy teacher has none running, the busy teacher is next.
        var third = await queue.LeaseNextAsync("w2", CancellationToken.None);
        Assert.Equal(busyDocs[1], third!.DocumentId.ToString());
        Assert.NotNull(await queue.LeaseNextAsync("w3", CancellationToken.None)); // work-conserving: the rest still runs
        Assert.Null(await queue.LeaseNextAsync("w4", CancellationToken.None));
    }

    private static async Task<string> QueueAsync(ApiFactory factory, TestUser user, string file, byte[] bytes)
    {
        var created = await user.CreateAsync(file, "text", file);
        await factory.UploadAsync(created, bytes, "text/plain");
        var id = created["document"]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsync($"/api/knowledge/{id}/process", null)).StatusCode);
        return id;
    }

    private static async Task<(string Id, System.Text.Json.Nodes.JsonObject Status)> ProcessAsync(
        ApiFactory factory, TestUser user, string file, string sourceType, byte[] bytes, string contentType)
    {
        var created = await user.CreateAsync(file, sourceType, file);
        await factory.UploadAsync(created, bytes, contentType);
        var id = created["document"]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsync($"/api/knowledge/{id}/process", null)).StatusCode);
        return (id, await user.WaitForAsync(id));
    }

    private static async Task AssertSingleAttemptAsync(ApiFactory factory, string documentId)
    {
        var job = Assert.Single(await factory.Services.GetRequiredService<IngestionJobQueue>().JobsForDocumentAsync(Guid.Parse(documentId), CancellationToken.None));
        Assert.Equal("failed", job.Status);
        Assert.Equal(1, job.Attempts); // permanent: never retried
    }
}
