using System.Net;
using System.Text;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Ingestion.Jobs;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

public sealed class PipelineFaultTests
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 8).Select(i =>
        $"Paragraph {i}: the tortoise legato exercise connects each note to the next without gaps, listening for an even tone.")));

    [Fact]
    public async Task Abandoned_lease_is_picked_up_again_and_completes_once_without_duplicates()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = ApiFactory.With(time, new Dictionary<string, string?>
        {
            ["Ingestion:RunWorkers"] = "false",
            ["Ingestion:LeaseDuration"] = "00:01:00",
        });
        var teacher = await factory.RegisterAsync("teacher");
        var created = await teacher.CreateAsync("Legato", "text", "legato.txt");
        await factory.UploadAsync(created, Text, "text/plain");
        var id = created["document"]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await teacher.Client.PostAsync($"/api/knowledge/{id}/process", null)).StatusCode);

        var queue = factory.Services.GetRequiredService<IngestionJobQueue>();
        var worker = factory.Services.GetRequiredService<IngestionWorker>();
        // A worker leases the job and dies without finishing or renewing.
        var abandoned = await queue.LeaseNextAsync("crashed-worker", CancellationToken.None);
        Assert.NotNull(abandoned);
        Assert.Null(await queue.LeaseNextAsync("other-worker", CancellationToken.None)); // leased: not available yet

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(await queue.LeaseNextAsync("other-worker", CancellationToken.None)); // not expired yet
        time.Advance(TimeSpan.FromSeconds(2));
        var retaken = await queue.LeaseNextAsync("healthy-worker", CancellationToken.None);
        Assert.NotNull(retaken);
        Assert.Equal(abandoned!.Id, retaken!.Id);
        Assert.Equal(2, retaken.Attempts);
        await worker.RunJobAsync(retaken, "healthy-worker", CancellationToken.None);

        // The crashed worker coming back cannot complete a job it no longer owns.
        await queue.CompleteAsync(abandoned.Id, "crashed-worker", CancellationToken.None);
        var jobs = await queue.JobsForDocumentAsync(Guid.Parse(id), CancellationToken.None);
        Assert.Equal("succeeded", Assert.Single(jobs).Status);

        var status = await teacher.WaitForAsync(id);
        Assert.Equal("completed", status["status"]!.GetValue<string>());
        var chunkCount = status["chunk_count"]!.GetValue<int>();
        // Run the pipeline once more on the same document (a duplicate delivery): chunks are replaced, not added.
        await teacher.Client.PostAsync($"/api/knowledge/{id}/process", null);
        var again = await queue.LeaseNextAsync("healthy-worker", CancellationToken.None);
        await worker.RunJobAsync(again!, "healthy-worker", CancellationToken.None);
        Assert.Equal(chunkCount, await CountChunksAsync(factory, id));
        Assert.Equal(chunkCount, (await teacher.SearchAsync("tortoise legato exercise", "keyword", 50)).Count);
    }

    [Fact]
    public async Task Transient_failure_is_retried_with_backoff_then_marked_failed_with_the_reason()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?>
        {
            ["Ingestion:MaxAttempts"] = "2",
            ["Ingestion:AllowPrivateNetworks"] = "true", // let the fetch reach loopback, where nothing listens
        });
        var teacher = await factory.RegisterAsync("teacher");
        var created = await teacher.CreateAsync("Unreachable page", "web", null, sourceUrl: "http://127.0.0.1:9/nothing-listens-here");
        var id = created["document"]!["id"]!.GetValue<string>();
        Assert.Null(created["upload_url"]);
        Assert.Equal(HttpStatusCode.Accepted, (await teacher.Client.PostAsync($"/api/knowledge/{id}/process", null)).StatusCode);
        var status = await teacher.WaitForAsync(id, "failed");
        Assert.Equal("fetch_failed", status["error"]!["code"]!.GetValue<string>());

        var job = Assert.Single(await factory.Services.GetRequiredService<IngestionJobQueue>().JobsForDocumentAsync(Guid.Parse(id), CancellationToken.None));
        Assert.Equal("failed", job.Status);
        Assert.Equal(2, job.Attempts);
        Assert.StartsWith("fetch_failed", job.LastError);
    }

    [Fact]
    public async Task Web_source_on_a_private_address_is_refused()
    {
        await using var factory = new ApiFactory();
        var teacher = await factory.RegisterAsync("teacher");
        var created = await teacher.CreateAsync("Metadata service", "web", null, sourceUrl: "http://169.254.169.254/latest/meta-data");
        var id = created["document"]!["id"]!.GetValue<string>();
        await teacher.Client.PostAsync($"/api/knowledge/{id}/process", null);
        var status = await teacher.WaitForAsync(id, "failed");
        Assert.Equal("forbidden_address", status["error"]!["code"]!.GetValue<string>());
        var job = Assert.Single(await factory.Services.GetRequiredService<IngestionJobQueue>().JobsForDocumentAsync(Guid.Parse(id), CancellationToken.None));
        Assert.Equal(1, job.Attempts); // permanent: not retried
    }

    [Fact]
    public async Task Deleting_a_document_during_processing_leaves_nothing_behind()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?>
        {
            ["Ingestion:LeaseDuration"] = "00:00:01.500",
            ["Ingestion:EmbeddingBatchSize"] = "1",
        });
        var teacher = await factory.RegisterAsync("teacher");
        // Enough text, embedded one chunk per batch, that the embed stage lasts a while on this machine (a stalled test
        // process must not see the job finish before it deletes the document).
        var big = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 120).Select(i =>
            $"Section {i}. Practise the dotted rhythm study slowly, then in groups of four notes, counting aloud and keeping the wrist loose, " +
            $"listening for evenness in every repetition number {i} before increasing the metronome marking by a few clicks.")));
        var created = await teacher.CreateAsync("Long study", "text", "long.txt");
        await factory.UploadAsync(created, big, "text/plain");
        var id = created["document"]!["id"]!.GetValue<string>();
        await teacher.Client.PostAsync($"/api/knowledge/{id}/process", null);
        await teacher.WaitForStageAsync(id, "embed");

        Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync($"/api/knowledge/{id}")).StatusCode);
        // The worker notices (its lease renewal fails) and stops; whatever it was doing can add nothing back.
        var db = factory.Services.GetRequiredService<Db>();
        await Eventually.TrueAsync(async () =>
        {
            await using var c = await db.OpenAsync();
            return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ingestion_jobs") == 0;
        }, "the job row is removed with its document");
        Assert.Equal(0, await CountChunksAsync(factory, id));
        Assert.Empty(await teacher.SearchAsync("dotted rhythm study", "keyword"));
        Assert.False(Directory.EnumerateFiles(factory.DataDirectory, "long.txt", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Starting_with_a_different_embedding_model_is_refused_and_reindex_rebuilds()
    {
        await using var factory = new ApiFactory();
        var teacher = await factory.RegisterAsync("teacher");
        var id = await factory.IngestAsync(teacher, "Legato", "text", "legato.txt", Text, "text/plain");
        var index = factory.Services.GetRequiredService<IKnowledgeIndex>();
        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => index.InitializeAsync("bge-base-en-v1.5", 768, CancellationToken.None));
        Assert.Contains("snowflake-arctic-embed-xs", error.Message);
        Assert.Contains("reindex", error.Message);

        var model = factory.Services.GetRequiredService<TeacherPlatform.Ai.Embeddings.IEmbeddingModel>();
        var count = await index.ReindexAsync(model.ModelId, model.Dimensions, (texts, ct) => model.EmbedPassagesAsync(texts, ct), null, CancellationToken.None);
        Assert.Equal(await CountChunksAsync(factory, id), count);
        await index.InitializeAsync(model.ModelId, model.Dimensions, CancellationToken.None);
        Assert.Equal(id, (await teacher.SearchAsync("tortoise legato exercise", "vector"))[0]!["document_id"]!.GetValue<string>());
    }

    private static async Task<long> CountChunksAsync(ApiFactory factory, string documentId)
    {
        var db = factory.Services.GetRequiredService<Db>();
        await using var c = await db.OpenAsync();
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM knowledge_chunks WHERE document_id = @id", new { id = Guid.Parse(documentId) });
    }
}
