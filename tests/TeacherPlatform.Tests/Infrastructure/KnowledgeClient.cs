using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace TeacherPlatform.Tests.Infrastructure;

/// <summary>The client side of the knowledge flow: create, upload to the signed URL, process, wait.</summary>
public static class KnowledgeClient
{
    public static async Task<JsonObject> CreateAsync(this TestUser user, string title, string sourceType, string? filename, bool isPublic = false, string? sourceUrl = null)
    {
        var response = await user.Client.PostJsonAsync("/api/knowledge", new { title, source_type = sourceType, is_public = isPublic, filename, source_url = sourceUrl });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    public static async Task UploadAsync(this ApiFactory factory, JsonObject created, byte[] bytes, string contentType)
    {
        var url = created["upload_url"]!.GetValue<string>();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var put = await factory.CreateClient().PutAsync(url, content);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    public static async Task<JsonObject> WaitForAsync(this TestUser user, string documentId, params string[] terminal)
    {
        terminal = terminal.Length == 0 ? ["completed", "failed"] : terminal;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var seen = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            var status = await (await user.Client.GetAsync($"/api/knowledge/{documentId}/status")).ReadJsonAsync();
            var s = status["status"]!.GetValue<string>();
            if (seen.Count == 0 || seen[^1] != s) seen.Add(s);
            if (terminal.Contains(s)) { status["seen"] = new JsonArray(seen.Select(x => (JsonNode)x!).ToArray()); return status; }
            await Task.Delay(100);
        }
        throw new TimeoutException($"document {documentId} did not finish; statuses seen: {string.Join(",", seen)}");
    }

    public static async Task WaitForStageAsync(this TestUser user, string documentId, string stage)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var status = await (await user.Client.GetAsync($"/api/knowledge/{documentId}/status")).ReadJsonAsync();
            if (status["stage"]?.GetValue<string>() == stage) return;
            Assert.NotEqual("completed", status["status"]!.GetValue<string>());
            await Task.Delay(20);
        }
        throw new TimeoutException($"stage {stage} not reached");
    }

    /// <summary>create → upload → process (202): the job is queued; with workers off the test drives it.</summary>
    public static async Task<Guid> QueueAsync(this ApiFactory factory, TestUser user, string title, string sourceType, string filename, byte[] bytes, string contentType)
    {
        var created = await user.CreateAsync(title, sourceType, filename);
        await factory.UploadAsync(created, bytes, contentType);
        var id = created["document"]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsync($"/api/knowledge/{id}/process", null)).StatusCode);
        return Guid.Parse(id);
    }

    /// <summary>create → upload → process → completed.</summary>
    public static async Task<string> IngestAsync(this ApiFactory factory, TestUser user, string title, string sourceType, string filename, byte[] bytes, string contentType, bool isPublic = false)
    {
        var created = await user.CreateAsync(title, sourceType, filename, isPublic);
        await factory.UploadAsync(created, bytes, contentType);
        var id = created["document"]!["id"]!.GetValue<string>();
        var process = await user.Client.PostAsync($"/api/knowledge/{id}/process", null);
        Assert.Equal(HttpStatusCode.Accepted, process.StatusCode);
        var status = await user.WaitForAsync(id);
        Assert.True(status["status"]!.GetValue<string>() == "completed", status.ToJsonString());
        return id;
    }

    public static async Task<JsonArray> SearchAsync(this TestUser user, string query, string mode = "hybrid", int topK = 5, string[]? documentIds = null)
    {
        var response = await user.Client.PostJsonAsync("/api/search", new { query, mode, top_k = topK, document_ids = documentIds });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!["results"]!.AsArray();
    }
}
