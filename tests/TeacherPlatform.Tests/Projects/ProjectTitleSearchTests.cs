using System.Text.Json.Nodes;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Projects;

/// <summary>The list filters match the user's text literally: LIKE wildcards in it are escaped, not dropped.</summary>
public sealed class ProjectTitleSearchTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("C_major", "Etude in C_major", "Etude in Cxmajor")]
    [InlineData("100%", "Sight-reading 100% accurate", "Sight-reading 1000 bars")]
    [InlineData(@"a\b", @"Voicing a\b chords", "Voicing ab chords")]
    public async Task Project_and_knowledge_filters_find_titles_by_their_literal_text(string query, string matching, string lookalike)
    {
        var teacher = await factory.RegisterAsync("teacher");
        var hit = await ProjectTestKit.CreateAsync(teacher, matching);
        await ProjectTestKit.CreateAsync(teacher, lookalike);
        var projects = await (await teacher.Client.GetAsync($"/api/projects?q={Uri.EscapeDataString(query)}")).ReadJsonAsync();
        Assert.Equal([hit.Id.ToString()], Ids(projects));

        var doc = (await teacher.CreateAsync(matching, "text", "a.txt"))["document"]!["id"]!.GetValue<string>();
        await teacher.CreateAsync(lookalike, "text", "b.txt");
        var documents = await (await teacher.Client.GetAsync($"/api/knowledge?q={Uri.EscapeDataString(query)}")).ReadJsonAsync();
        Assert.Equal([doc], Ids(documents));
    }

    private static string[] Ids(JsonObject page) => page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToArray();
}
