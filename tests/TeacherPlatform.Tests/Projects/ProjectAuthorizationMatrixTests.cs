using System.Net;
using TeacherPlatform.Tests.Infrastructure;
using static TeacherPlatform.Tests.Projects.ProjectTestKit;

namespace TeacherPlatform.Tests.Projects;

/// <summary>
/// Every projects/annotations endpoint × every kind of caller. Callers who may not see the project get 404 (401 when
/// anonymous) and a body that names nothing about it; callers who see it without enough permission get 403.
/// </summary>
public sealed class ProjectAuthorizationMatrixTests(ApiFactory factory) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private enum Who { Anonymous, UnrelatedStudent, UnrelatedTeacher, Viewer, Editor, GranteeAdmin, Owner, PlatformAdmin }

    //                                          anon unrS unrT view edit gadm own  padm
    private static readonly int[] Read =       [401, 404, 404, 200, 200, 200, 200, 200];
    private static readonly int[] Manage =     [401, 404, 404, 403, 403, 200, 200, 200];
    private static readonly int[] OwnerOnly =  [401, 404, 404, 403, 403, 403, 200, 200];

    private readonly Dictionary<Who, TestUser?> _users = new();
    private readonly Dictionary<Who, HttpClient> _clients = new();
    private readonly string _secret = $"Secret Sonata {Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        var owner = await factory.RegisterAsync("teacher");
        _users[Who.Owner] = owner;
        _users[Who.Anonymous] = null;
        _users[Who.UnrelatedStudent] = await factory.RegisterAsync("student");
        _users[Who.UnrelatedTeacher] = await factory.RegisterAsync("teacher");
        foreach (var who in new[] { Who.Viewer, Who.Editor, Who.GranteeAdmin })
        {
            _users[who] = await factory.RegisterAsync("student");
            await LinkAsync(owner, _users[who]!);
        }
        _users[Who.PlatformAdmin] = await factory.AdminAsync();
        foreach (var (who, user) in _users) _clients[who] = user?.Client ?? factory.CreateClient();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private TestUser Owner => _users[Who.Owner]!;

    /// <summary>A ready 2-page project shared view / edit / admin with the three linked students.</summary>
    private async Task<Guid> SharedProjectAsync()
    {
        var id = await CreateReadyAsync(factory, Owner, pages: 2, title: _secret);
        await GrantAsync(Owner, id, _users[Who.Viewer]!, "view");
        await GrantAsync(Owner, id, _users[Who.Editor]!, "edit");
        await GrantAsync(Owner, id, _users[Who.GranteeAdmin]!, "admin");
        return id;
    }

    private async Task MatrixAsync(string endpoint, int[] expected, Func<Who, HttpClient, Task<HttpResponseMessage>> call)
    {
        var failures = new List<string>();
        foreach (var who in Enum.GetValues<Who>())
        {
            using var response = await call(who, _clients[who]);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            if (status != expected[(int)who])
                failures.Add($"{endpoint} as {who}: expected {expected[(int)who]}, got {status}: {body}");
            if (status >= 400)
            {
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"{endpoint} as {who}: {status} without problem+json");
                if (body.Contains(_secret) || body.Contains(Owner.Email))
                    failures.Add($"{endpoint} as {who}: the denial leaks project data: {body}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Project_endpoints()
    {
        var id = await SharedProjectAsync();

        await MatrixAsync("GET /api/projects/{id}", Read, (_, c) => c.GetAsync($"/api/projects/{id}"));
        await MatrixAsync("PATCH /api/projects/{id}", Manage, (_, c) => c.PatchJsonAsync($"/api/projects/{id}", new { title = _secret, description = "new" }));
        await MatrixAsync("POST /api/projects/{id}/confirm", OwnerOnly, (_, c) => c.PostJsonAsync($"/api/projects/{id}/confirm", new { }));
        await MatrixAsync("GET /api/projects/{id}/stream", Read, (_, c) => c.GetAsync($"/api/projects/{id}/stream"));
        await MatrixAsync("GET /api/projects/{id}/access", Manage, (_, c) => c.GetAsync($"/api/projects/{id}/access"));
        await MatrixAsync("GET /api/projects/{id}/annotations/export", Read, (_, c) => c.GetAsync($"/api/projects/{id}/annotations/export"));

        // The list answers everyone signed in, but holds the project only for those who may see it.
        await MatrixAsync("GET /api/projects", [401, 200, 200, 200, 200, 200, 200, 200], async (who, c) =>
        {
            var response = await c.GetAsync($"/api/projects?page_size=100&q={Uri.EscapeDataString(_secret)}");
            if (response.IsSuccessStatusCode)
            {
                var items = (await response.ReadJsonAsync())["items"]!.AsArray();
                var listed = items.Any(i => i!["id"]!.GetValue<string>() == id.ToString());
                Assert.True(listed == who >= Who.Viewer, $"GET /api/projects as {who}: listed={listed}");
                response = await c.GetAsync($"/api/projects?page_size=100&q={Uri.EscapeDataString(_secret)}");
            }
            return response;
        });
    }

    [Fact]
    public async Task Delete_project()
    {
        var ids = new Dictionary<Who, Guid>();
        foreach (var who in Enum.GetValues<Who>()) ids[who] = await SharedProjectAsync();
        await MatrixAsync("DELETE /api/projects/{id}", [401, 404, 404, 403, 403, 403, 204, 204], (who, c) => c.DeleteAsync($"/api/projects/{ids[who]}"));
        foreach (var who in new[] { Who.Owner, Who.PlatformAdmin })
            await (await Owner.Client.GetAsync($"/api/projects/{ids[who]}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await Owner.Client.GetAsync($"/api/projects/{ids[Who.Editor]}")).StatusCode);
    }

    [Fact]
    public async Task Grant_and_revoke_access()
    {
        var id = await SharedProjectAsync();
        // Each caller grants to a fresh student of the owner (201 when new), then revokes a fresh grant.
        var targets = new Dictionary<Who, TestUser>();
        foreach (var who in Enum.GetValues<Who>())
        {
            targets[who] = await factory.RegisterAsync("student");
            await LinkAsync(Owner, targets[who]);
        }
        await MatrixAsync("POST /api/projects/{id}/access", [401, 404, 404, 403, 403, 201, 201, 201],
            (who, c) => c.PostJsonAsync($"/api/projects/{id}/access", new { user_id = targets[who].Id, permission = "view" }));

        foreach (var who in Enum.GetValues<Who>()) await GrantAsync(Owner, id, targets[who], "edit");
        await MatrixAsync("DELETE /api/projects/{id}/access/{user_id}", [401, 404, 404, 403, 403, 204, 204, 204],
            (who, c) => c.DeleteAsync($"/api/projects/{id}/access/{targets[who].Id}"));
        var access = await (await Owner.Client.GetAsync($"/api/projects/{id}/access?page_size=100")).ReadJsonAsync();
        var remaining = access["items"]!.AsArray().Select(i => i!["user"]!["id"]!.GetValue<string>()).ToHashSet();
        foreach (var who in Enum.GetValues<Who>())
            Assert.Equal(who is Who.Anonymous or Who.UnrelatedStudent or Who.UnrelatedTeacher or Who.Viewer or Who.Editor, remaining.Contains(targets[who].Id.ToString()));
    }

    [Fact]
    public async Task Annotation_endpoints()
    {
        var id = await SharedProjectAsync();
        var ownersNote = await AnnotateAsync(Owner, Note(1, id, _secret));

        await MatrixAsync("POST /api/annotations", [401, 404, 404, 403, 201, 201, 201, 201], (_, c) => c.PostJsonAsync("/api/annotations", Highlight(2, id)));
        await MatrixAsync("GET /api/annotations?project_id", Read, (_, c) => c.GetAsync($"/api/annotations?project_id={id}&page_number=1"));
        await MatrixAsync("GET /api/annotations/{id}", Read, (_, c) => c.GetAsync($"/api/annotations/{ownersNote}"));
        // Someone else's annotation: edit is not enough, project admin/owner/platform admin may change it.
        await MatrixAsync("PATCH /api/annotations/{id} (owner's)", Manage,
            (_, c) => c.PatchJsonAsync($"/api/annotations/{ownersNote}", new { content = new { x = 0.5, y = 0.5, text = _secret } }));

        var fresh = new Dictionary<Who, Guid>();
        foreach (var who in Enum.GetValues<Who>()) fresh[who] = await AnnotateAsync(Owner, Drawing(2, id));
        await MatrixAsync("DELETE /api/annotations/{id} (owner's)", [401, 404, 404, 403, 403, 204, 204, 204],
            (who, c) => c.DeleteAsync($"/api/annotations/{fresh[who]}"));

        // One's own annotation: edit changes and deletes it; a viewer has none to change.
        var editor = _users[Who.Editor]!;
        var own = await AnnotateAsync(editor, Note(2, id, "mine"));
        Assert.Equal(HttpStatusCode.OK, (await editor.Client.PatchJsonAsync($"/api/annotations/{own}", new { page_number = 1 })).StatusCode);
        await (await _users[Who.Viewer]!.Client.PatchJsonAsync($"/api/annotations/{own}", new { page_number = 2 })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, (await editor.Client.DeleteAsync($"/api/annotations/{own}")).StatusCode);
    }
}
