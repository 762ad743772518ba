using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Ai.VectorIndex;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

/// <summary>
/// Embedded mode persists the in-process HNSW graph in the data directory: a restart on the same data loads it instead
/// of rebuilding it, catches up with the chunks added and removed since the snapshot, and rebuilds a damaged file.
/// </summary>
public sealed class VectorIndexPersistenceTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("tp-vecsnap-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private ApiFactory Host(bool persist = true, bool workers = true) => ApiFactory.With(new Dictionary<string, string?>
    {
        ["Data:Directory"] = _data,
        ["Ingestion:RunWorkers"] = workers ? "true" : "false",
        // The graph from the first vector on, so a handful of chunks exercises the HNSW path.
        ["Search:ExactSearchThreshold"] = "1",
        ["Search:PersistVectorIndex"] = persist ? "true" : "false",
    });

    private static SqliteKnowledgeIndex Index(ApiFactory host) => (SqliteKnowledgeIndex)host.Services.GetRequiredService<IKnowledgeIndex>();

    private static byte[] Lessons(string topic, int count) => Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(1, count).Select(i =>
        $"Lesson {i} on {topic}: the student repeats the {topic} passage slowly, listens for evenness in every beat, and writes one sentence about what changed in lesson {i}.")));

    private static async Task<HashSet<string>> DocumentsFoundAsync(ApiFactory host, string query)
    {
        var student = await host.RegisterAsync("student");
        var results = await student.SearchAsync(query, "vector", topK: 20);
        return results.Select(r => r!["document_id"]!.GetValue<string>()).ToHashSet();
    }

    /// <summary>The same user on another host over the same data (signing keys and sessions live there too).</summary>
    private static TestUser On(ApiFactory host, TestUser user)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user.AccessToken);
        return user with { Client = client };
    }

    private static async Task<int> ChunkCountAsync(TestUser teacher, string documentId) =>
        (await (await teacher.Client.GetAsync($"/api/knowledge/{documentId}/status")).ReadJsonAsync())["chunk_count"]!.GetValue<int>();

    [Fact]
    public async Task A_restart_loads_the_saved_graph_and_catches_up_with_chunks_added_and_removed_after_the_snapshot()
    {
        if (ApiFactory.IsPostgres) return; // pgvector keeps its own persistent HNSW index; there is no in-process graph
        var snapshot = Path.Combine(_data, SqliteKnowledgeIndex.SnapshotFileName);

        TestUser teacher;
        string pedals, scales;
        int saved;
        await using (var first = Host())
        {
            teacher = await first.RegisterAsync("teacher");
            scales = await first.IngestAsync(teacher, "Scales", "text", "scales.txt", Lessons("scale fingering", 12), "text/plain", isPublic: true);
            pedals = await first.IngestAsync(teacher, "Pedals", "text", "pedals.txt", Lessons("sustain pedal", 12), "text/plain", isPublic: true);
            Assert.Equal(VectorIndexLoad.Rebuilt, Index(first).LastLoad!.Source);
            Assert.True(Index(first).UsesHnsw);
            saved = Index(first).Count;
            Assert.Equal(await ChunkCountAsync(teacher, scales) + await ChunkCountAsync(teacher, pedals), saved);
        } // shutdown writes the snapshot

        Assert.True(File.Exists(snapshot));
        await using (var second = Host())
        {
            var load = Index(second).LastLoad!;
            Assert.Equal((VectorIndexLoad.FromSnapshot, (string?)null, saved, 0, 0), (load.Source, load.SnapshotProblem, load.Count, load.Added, load.Removed));
            Assert.True(Index(second).UsesHnsw);
            Assert.Contains(pedals, await DocumentsFoundAsync(second, "how do I use the sustain pedal"));
        }

        // Changes the snapshot does not hold: an instance that does not persist deletes one document and adds another.
        string trills;
        int pedalChunks, trillChunks;
        await using (var offline = Host(persist: false))
        {
            Assert.Equal((VectorIndexLoad.Rebuilt, "persistence disabled"), (Index(offline).LastLoad!.Source, Index(offline).LastLoad!.SnapshotProblem));
            var owner = On(offline, teacher);
            trills = await offline.IngestAsync(owner, "Trills", "text", "trills.txt", Lessons("trill ornament", 20), "text/plain", isPublic: true);
            pedalChunks = await ChunkCountAsync(owner, pedals);
            trillChunks = await ChunkCountAsync(owner, trills);
            Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/knowledge/{pedals}")).StatusCode);
            Assert.Equal(saved + trillChunks - pedalChunks, Index(offline).Count);
        }
        var model = (ModelId: "", Dimensions: 0);
        await using (var third = Host())
        {
            var load = Index(third).LastLoad!;
            Assert.Equal((VectorIndexLoad.FromSnapshot, trillChunks, pedalChunks), (load.Source, load.Added, load.Removed));
            Assert.Equal(saved - pedalChunks + trillChunks, Index(third).Count);
            var found = await DocumentsFoundAsync(third, "how do I use the sustain pedal");
            Assert.DoesNotContain(pedals, found);
            Assert.Contains(scales, found);
            Assert.Contains(trills, await DocumentsFoundAsync(third, "trill ornament lesson"));
            var embedder = third.Services.GetRequiredService<IEmbeddingModel>();
            model = (embedder.ModelId, embedder.Dimensions);
        } // caught up: the snapshot is rewritten at shutdown
        var rewritten = VectorIndexSnapshot.TryRead(snapshot, model.ModelId, model.Dimensions, new InProcessVectorIndexOptions(HnswThreshold: 1));
        rewritten.Index?.Dispose();
        Assert.Equal(saved - pedalChunks + trillChunks, rewritten.Header!.Count);
    }

    [Fact]
    public async Task A_damaged_snapshot_is_rebuilt_from_the_database_and_replaced_at_shutdown()
    {
        if (ApiFactory.IsPostgres) return;
        var snapshot = Path.Combine(_data, SqliteKnowledgeIndex.SnapshotFileName);
        string scales;
        int count;
        await using (var first = Host())
        {
            var teacher = await first.RegisterAsync("teacher");
            scales = await first.IngestAsync(teacher, "Scales", "text", "scales.txt", Lessons("scale fingering", 12), "text/plain", isPublic: true);
            count = Index(first).Count;
        }
        var bytes = await File.ReadAllBytesAsync(snapshot);
        bytes[bytes.Length - 64] ^= 0x01;
        await File.WriteAllBytesAsync(snapshot, bytes);

        await using (var second = Host())
        {
            var load = Index(second).LastLoad!;
            Assert.Equal((VectorIndexLoad.Rebuilt, count), (load.Source, load.Count));
            Assert.Contains("checksum", load.SnapshotProblem);
            Assert.Contains(scales, await DocumentsFoundAsync(second, "scale fingering lesson"));
        }
        await using (var third = Host())
        {
            Assert.Equal((VectorIndexLoad.FromSnapshot, count), (Index(third).LastLoad!.Source, Index(third).LastLoad!.Count));
        }
    }

    [Fact]
    public async Task Chunks_written_by_another_instance_are_caught_up_in_place_not_rebuilt()
    {
        if (ApiFactory.IsPostgres) return;
        // Only the other instance ingests, so every new chunk reaches the serving one through the database.
        await using var serving = Host(workers: false);
        await using var worker = Host(persist: false);
        var before = Index(serving).Count;
        var teacher = await worker.RegisterAsync("teacher");
        var trills = await worker.IngestAsync(teacher, "Trills", "text", "trills.txt", Lessons("trill ornament", 10), "text/plain", isPublic: true);

        Assert.Contains(trills, await DocumentsFoundAsync(serving, "trill ornament lesson"));
        var load = Index(serving).LastLoad!;
        Assert.Equal((VectorIndexLoad.CaughtUp, await ChunkCountAsync(On(serving, teacher), trills), 0), (load.Source, load.Added, load.Removed));
        Assert.Equal(before + load.Added, Index(serving).Count);
    }
}
