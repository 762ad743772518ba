using System.Text;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

/// <summary>The service on the int8 (dynamically quantised) local encoder: `Embeddings:Local:Precision=int8`.</summary>
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
}
