using System.Text;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

/// <summary>The service on the int8 (dynamically quantised) local encoder: `Embeddings:Local:Precision=int8` for documents and queries,
/// `Embeddings:Local:QueryPrecision` (int8 by default) for search queries alone.</summary>
public sealed class Int8EmbeddingTests
{
    private static readonly byte[] Pedalling = Encoding.UTF8.GetBytes(
        "Pedalling in Chopin nocturnes: change the sustain pedal just after each new harmony so the bass does not blur.");
    private static readonly byte[] Fingers = Encoding.UTF8.GetBytes(
        "Finger independence: hold a five-finger position and lift each finger in turn, slowly, with the knuckles firm.");

    [Fact]
    public async Task Ingestion_and_search_run_on_the_int8_encoder_and_the_index_records_it()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Embeddings:Local:Precision"] = "int8" });
        var model = factory.Services.GetRequiredService<IEmbeddingModel>();
        Assert.Equal(LocalArcticEmbeddingModel.Int8Id, model.ModelId);

        var teacher = await factory.RegisterAsync("teacher");
        var pedalling = await factory.IngestAsync(teacher, "Pedalling", "text", "pedalling.txt", Pedalling, "text/plain");
        var fingers = await factory.IngestAsync(teacher, "Fingers", "text", "fingers.txt", Fingers, "text/plain");
        var hits = await teacher.SearchAsync("my fourth finger is weak and collapses, what exercise helps?", "vector", topK: 2);
        Assert.Equal([fingers, pedalling], hits.Select(h => h!["document_id"]!.GetValue<string>()));

        // The index is recorded as built by the int8 copy: starting fp32 on it is refused with the way out named.
        var index = factory.Services.GetRequiredService<IKnowledgeIndex>();
        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(
            () => index.InitializeAsync(LocalArcticEmbeddingModel.Id, model.Dimensions, CancellationToken.None));
        Assert.Contains("snowflake-arctic-embed-xs-int8", error.Message);
        Assert.Contains("reindex", error.Message);
    }

    [Fact]
    public async Task An_unknown_precision_fails_start_up_with_the_setting_named()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Embeddings:Local:Precision"] = "fp16" });
        var error = Assert.ThrowsAny<Exception>(() => factory.Services);
        Assert.Contains("Embeddings:Local:Precision", error.ToString());
    }

    [Fact]
    public async Task By_default_int8_queries_search_an_index_that_stays_fp32s()
    {
        await using var factory = new ApiFactory();
        var model = factory.Services.GetRequiredService<IEmbeddingModel>();
        Assert.Equal(LocalArcticEmbeddingModel.Id, model.ModelId);
        Assert.Equal(LocalArcticEmbeddingModel.Int8Id, model.QueryModelId);

        var teacher = await factory.RegisterAsync("teacher");
        var pedalling = await factory.IngestAsync(teacher, "Pedalling", "text", "pedalling.txt", Pedalling, "text/plain");
        var fingers = await factory.IngestAsync(teacher, "Fingers", "text", "fingers.txt", Fingers, "text/plain");
        Assert.Equal([fingers, pedalling], (await teacher.SearchAsync("my fourth finger is weak and collapses, what exercise helps?", "vector", topK: 2))
            .Select(h => h!["document_id"]!.GetValue<string>()));
        Assert.Equal([pedalling, fingers], (await teacher.SearchAsync("when should I change the pedal in a slow nocturne?", "hybrid", topK: 2))
            .Select(h => h!["document_id"]!.GetValue<string>()));

        // The index records fp32's id: an fp32-only instance starts on it without a reindex, an all-int8 one is refused.
        var index = factory.Services.GetRequiredService<IKnowledgeIndex>();
        await index.InitializeAsync(LocalArcticEmbeddingModel.Id, model.Dimensions, CancellationToken.None);
        await Assert.ThrowsAsync<EmbeddingModelMismatchException>(
            () => index.InitializeAsync(LocalArcticEmbeddingModel.Int8Id, model.Dimensions, CancellationToken.None));
    }

    [Fact]
    public async Task Fp32_queries_can_be_chosen()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Embeddings:Local:QueryPrecision"] = "fp32" });
        var model = factory.Services.GetRequiredService<IEmbeddingModel>();
        Assert.Equal(LocalArcticEmbeddingModel.Id, model.ModelId);
        Assert.Equal(LocalArcticEmbeddingModel.Id, model.QueryModelId);
    }

    [Fact]
    public async Task An_unknown_query_precision_fails_start_up_with_the_setting_named()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Embeddings:Local:QueryPrecision"] = "int4" });
        var error = Assert.ThrowsAny<Exception>(() => factory.Services);
        Assert.Contains("Embeddings:Local:QueryPrecision", error.ToString());
    }
}
