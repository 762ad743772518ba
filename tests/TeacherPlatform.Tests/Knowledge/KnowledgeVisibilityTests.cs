using System.Net;
using System.Text;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

public sealed class KnowledgeVisibilityTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Private_documents_are_seen_by_owner_and_owners_students_only_public_by_everyone()
    {
        var teacherA = await factory.RegisterAsync("teacher");
        var teacherB = await factory.RegisterAsync("teacher");
        var studentOfA = await factory.RegisterAsync("student");
        var stranger = await factory.RegisterAsync("student");
        await teacherA.LinkAsync(studentOfA);

        var privateId = await factory.IngestAsync(teacherA, "A's private notes", "text", "notes.txt",
            Encoding.UTF8.GetBytes("The velvetine wrist circle is our studio's secret warm-up before scales."), "text/plain");
        var publicId = await factory.IngestAsync(teacherB, "B's public guide", "text", "guide.txt",
            Encoding.UTF8.GetBytes("The velvetine wrist circle, explained for everyone: rotate the wrist slowly before playing."), "text/plain", isPublic: true);

        foreach (var user in new[] { teacherA, studentOfA })
        {
            foreach (var mode in new[] { "keyword", "vector", "hybrid" })
            {
                var docs = (await user.SearchAsync("velvetine wrist circle", mode, 10)).Select(r => r!["document_id"]!.GetValue<string>()).ToHashSet();
                Assert.Contains(privateId, docs);
                Assert.Contains(publicId, docs);
            }
            Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/api/knowledge/{privateId}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/api/knowledge/{privateId}/status")).StatusCode);
        }

        foreach (var user in new[] { stranger, teacherB })
        {
            foreach (var mode in new[] { "keyword", "vector", "hybrid" })
            {
                var results = await user.SearchAsync("velvetine wrist circle", mode, 10);
                Assert.DoesNotContain(results, r => r!["document_id"]!.GetValue<string>() == privateId);
                Assert.Contains(results, r => r!["document_id"]!.GetValue<string>() == publicId);
                // Asking for the private document explicitly does not leak it either.
                Assert.Empty(await user.SearchAsync("velvetine wrist circle", mode, 10, [privateId]));
            }
            await (await user.Client.GetAsync($"/api/knowledge/{privateId}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            await (await user.Client.GetAsync($"/api/knowledge/{privateId}/status")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            await (await user.Client.PostAsync($"/api/knowledge/{privateId}/process", null)).AssertProblemAsync(HttpStatusCode.NotFound);
            await (await user.Client.DeleteAsync($"/api/knowledge/{privateId}")).AssertProblemAsync(HttpStatusCode.NotFound);
            var list = await (await user.Client.GetAsync("/api/knowledge?page_size=100")).ReadJsonAsync();
            Assert.DoesNotContain(list["items"]!.AsArray(), d => d!["id"]!.GetValue<string>() == privateId);
            Assert.Contains(list["items"]!.AsArray(), d => d!["id"]!.GetValue<string>() == publicId);
        }

        // A student who can see a document cannot change it.
        await (await studentOfA.Client.DeleteAsync($"/api/knowledge/{privateId}")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await stranger.Client.DeleteAsync($"/api/knowledge/{publicId}")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        // Ending the relationship ends the access.
        var rel = (await (await teacherA.Client.GetAsync("/api/relationships")).ReadJsonAsync())["items"]!.AsArray().Single()!;
        Assert.Equal(HttpStatusCode.NoContent, (await studentOfA.Client.DeleteAsync($"/api/relationships/{rel["id"]}")).StatusCode);
        await (await studentOfA.Client.GetAsync($"/api/knowledge/{privateId}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(await studentOfA.SearchAsync("velvetine wrist circle", "hybrid", 10), r => r!["document_id"]!.GetValue<string>() == privateId);

        // Filters and paging on the list.
        var own = await (await teacherA.Client.GetAsync("/api/knowledge?source_type=text&status=completed&q=private&page=1&page_size=5")).ReadJsonAsync();
        Assert.Equal(1, own["total"]!.GetValue<int>());
        Assert.Equal(5, own["page_size"]!.GetValue<int>());
        Assert.Equal(privateId, own["items"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/api/knowledge")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().PostJsonAsync("/api/search", new { query = "x" })).StatusCode);
    }

    [Fact]
    public async Task Filter_inside_search_returns_full_top_k_despite_many_invisible_chunks()
    {
        var other = await factory.RegisterAsync("teacher");
        var me = await factory.RegisterAsync("teacher");
        // Many private chunks of another teacher that match better than mine.
        var otherText = string.Join("\n\n", Enumerable.Range(0, 12).Select(i => $"Chromatic scale fingering drill {i}: chromatic scale fingering with thumb on white keys and third finger on black keys."));
        await factory.IngestAsync(other, "Other's drills", "text", "other.txt", Encoding.UTF8.GetBytes(otherText), "text/plain");
        var mine = string.Join("\n\n", Enumerable.Range(0, 6).Select(i => $"Section {i}. Chromatic scale notes about hand position number {i} and a relaxed thumb."));
        var myId = await factory.IngestAsync(me, "My notes", "text", "mine.txt", Encoding.UTF8.GetBytes(mine), "text/plain");
        var myChunks = (await (await me.Client.GetAsync($"/api/knowledge/{myId}")).ReadJsonAsync())["chunk_count"]!.GetValue<int>();
        foreach (var mode in new[] { "vector", "keyword" })
        {
            var results = await me.SearchAsync("chromatic scale fingering", mode, myChunks);
            Assert.Equal(myChunks, results.Count);
            Assert.All(results, r => Assert.Equal(myId, r!["document_id"]!.GetValue<string>()));
        }
    }
}
