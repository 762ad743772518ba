using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Ingestion;
using TeacherPlatform.Ingestion.Jobs;
using TeacherPlatform.Ingestion.Partitioning;
using TeacherPlatform.Ingestion.Pipeline;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

/// <summary>Named steps in a configured order, resumed after the last one a job completed; impossible settings stop start-up.</summary>
public sealed class PipelineStepTests
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 40).Select(i =>
        $"Paragraph {i}: the staccato study bounces each note off the key with a relaxed wrist, keeping the pulse steady and light.")));

    [Fact]
    public async Task A_job_whose_extraction_and_partition_completed_resumes_at_embedding()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = ApiFactory.With(time, new Dictionary<string, string?>
        {
            ["Ingestion:RunWorkers"] = "false",
            ["Ingestion:LeaseDuration"] = "00:01:00",
        });
        var teacher = await factory.RegisterAsync("teacher");
        var id = await factory.QueueAsync(teacher, "Staccato", "text", "staccato.txt", Text, "text/plain");

        // A worker completes extract and partition, records them, and dies in the middle of embedding.
        var queue = factory.Services.GetRequiredService<IngestionJobQueue>();
        var job = await queue.LeaseNextAsync("crashed-worker", CancellationToken.None);
        Assert.NotNull(job);
        Assert.Empty(job!.CompletedStepNames);
        var document = (await factory.Services.GetRequiredService<KnowledgeDocumentStore>().GetAsync(id, CancellationToken.None))!;
        IPipelineStep Step(string name) => factory.Services.GetRequiredKeyedService<IPipelineStep>(name);
        var partial = new IngestionContext(document, new NoProgress());
        await Step(ExtractStep.StepName).ExecuteAsync(partial, CancellationToken.None);
        await Step(PartitionStep.StepName).ExecuteAsync(partial, CancellationToken.None);
        Assert.True(await queue.RecordStepsAsync(job.Id, "crashed-worker", [ExtractStep.StepName, PartitionStep.StepName], partial.SaveState(), CancellationToken.None));

        // The upload is gone: extracting again would fail with upload_missing, so completing proves it was not re-run.
        Assert.True(await factory.Services.GetRequiredService<IObjectStorage>().DeleteAsync(document.StorageKey!));

        time.Advance(TimeSpan.FromSeconds(61));
        var retaken = await queue.LeaseNextAsync("healthy-worker", CancellationToken.None);
        Assert.Equal(job.Id, retaken!.Id);
        Assert.Equal([ExtractStep.StepName, PartitionStep.StepName], retaken.CompletedStepNames);
        await factory.Services.GetRequiredService<IngestionWorker>().RunJobAsync(retaken, "healthy-worker", CancellationToken.None);

        var status = await teacher.WaitForAsync(id.ToString());
        Assert.Equal("completed", status["status"]!.GetValue<string>());
        var done = Assert.Single(await queue.JobsForDocumentAsync(id, CancellationToken.None));
        Assert.Equal("succeeded", done.Status);
        Assert.Equal(IngestionOptions.DefaultSteps, done.CompletedStepNames);
        Assert.Null(done.StepState);
        // Exactly the chunks the first worker partitioned.
        var expected = partial.Chunks.Select(c => ChunkId.For(id, c.Index, c.Text)).Order().ToList();
        Assert.Equal(expected, (await ChunkIdsAsync(factory, id)).Order().ToList());
    }

    [Fact]
    public async Task Reprocessing_while_a_retry_waits_starts_again_from_the_first_step()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Ingestion:RunWorkers"] = "false" });
        var teacher = await factory.RegisterAsync("teacher");
        var id = await factory.QueueAsync(teacher, "Staccato", "text", "staccato.txt", Text, "text/plain");
        var queue = factory.Services.GetRequiredService<IngestionJobQueue>();
        var job = (await queue.LeaseNextAsync("w1", CancellationToken.None))!;
        Assert.True(await queue.RecordStepsAsync(job.Id, "w1", [ExtractStep.StepName], "{}", CancellationToken.None));
        Assert.True(await queue.FailAsync(job, "w1", "ingestion_failed: transient", permanent: false, CancellationToken.None));

        // New bytes, processed again: the waiting job must not resume from the old extraction.
        await teacher.Client.PostAsync($"/api/knowledge/{id}/process", null);
        var waiting = Assert.Single(await queue.JobsForDocumentAsync(id, CancellationToken.None));
        Assert.Equal(job.Id, waiting.Id);
        Assert.Empty(waiting.CompletedStepNames);
        Assert.Null(waiting.StepState);
    }

    [Theory]
    [InlineData("Ingestion:ChunkMaxTokens", "600", "Ingestion:ChunkMaxTokens is 600")]
    [InlineData("Ingestion:ChunkOverlapTokens", "510", "Ingestion:ChunkOverlapTokens is 510")]
    [InlineData("Ingestion:Steps:2", "enrich", "Ingestion:Steps names 'enrich', which is not a registered step")]
    public async Task An_impossible_ingestion_setting_stops_start_up_with_the_reason(string key, string value, string reason)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ingestion:Steps:0"] = ExtractStep.StepName, ["Ingestion:Steps:1"] = PartitionStep.StepName,
            ["Ingestion:Steps:2"] = EmbedStep.StepName, ["Ingestion:Steps:3"] = SaveStep.StepName,
            [key] = value,
        };
        await using var factory = ApiFactory.With(settings);

        var error = Assert.Throws<OptionsValidationException>(() => factory.Services);
        Assert.Contains(error.Failures, f => f.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_configured_step_order_is_the_pipeline()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Ingestion:RunWorkers"] = "false" });
        Assert.Equal(IngestionOptions.DefaultSteps, factory.Services.GetRequiredService<IngestionPipeline>().StepNames);
        Assert.Equal(510, factory.Services.GetRequiredService<IOptions<IngestionOptions>>().Value.ChunkMaxTokens);
    }

    private static async Task<List<Guid>> ChunkIdsAsync(ApiFactory factory, Guid documentId)
    {
        await using var c = await factory.Services.GetRequiredService<Db>().OpenAsync();
        return (await c.QueryAsync<Guid>("SELECT id FROM knowledge_chunks WHERE document_id = @documentId", new { documentId })).ToList();
    }

    private sealed class NoProgress : IProgressSink
    {
        public Task ReportAsync(string stage, int done, int total, CancellationToken ct) => Task.CompletedTask;
    }
}
