using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Tests.Storage;

/// <summary>A registered <see cref="IObjectAccessPolicy"/> is consulted on every use of a local signed URL.</summary>
public sealed class StorageAccessPolicyTests : IAsyncLifetime
{
    private readonly GrantTable _grants = new();
    private StorageTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await StorageTestHost.StartAsync(new Dictionary<string, string?>(), services => services.AddSingleton<IObjectAccessPolicy>(_grants));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Revoking_access_stops_unexpired_urls_at_once()
    {
        var key = "projects/p1/score.pdf";
        var user = Guid.NewGuid();
        _grants.Grant(key, user, write: true);
        var upload = await _host.Storage.CreateUploadUrlAsync(key, "application/pdf", TimeSpan.FromHours(1), user);
        var download = await _host.Storage.CreateDownloadUrlAsync(key, null, TimeSpan.FromHours(1), user);

        using (var put = await _host.Client.PutAsync(upload.Url, new ByteArrayContent([1, 2, 3]) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using (var get = await _host.Client.GetAsync(download.Url))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        _grants.Revoke(key, user);

        using var deniedGet = await _host.Client.GetAsync(download.Url);
        using var deniedPut = await _host.Client.PutAsync(upload.Url, new ByteArrayContent([9]));
        foreach (var denied in new[] { deniedGet, deniedPut })
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            var problem = await denied.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("forbidden", problem.GetProperty("code").GetString());
        }

        Assert.Equal(3, (await _host.Storage.HeadAsync(key))?.Size);
    }

    [Fact]
    public async Task Read_access_does_not_allow_writing()
    {
        var key = "projects/p2/score.pdf";
        var user = Guid.NewGuid();
        _grants.Grant(key, user, write: false);
        var upload = await _host.Storage.CreateUploadUrlAsync(key, "application/pdf", TimeSpan.FromHours(1), user);

        using var response = await _host.Client.PutAsync(upload.Url, new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(await _host.Storage.HeadAsync(key));
    }

    /// <summary>An in-memory policy: key → user → may write.</summary>
    private sealed class GrantTable : IObjectAccessPolicy
    {
        private readonly ConcurrentDictionary<(string Key, Guid User), bool> _grants = new();

        public void Grant(string key, Guid user, bool write) => _grants[(key, user)] = write;

        public void Revoke(string key, Guid user) => _grants.TryRemove((key, user), out _);

        public Task<bool> CanReadAsync(string key, Guid userId, CancellationToken cancellationToken) =>
            Task.FromResult(_grants.ContainsKey((key, userId)));

        public Task<bool> CanWriteAsync(string key, Guid userId, CancellationToken cancellationToken) =>
            Task.FromResult(_grants.TryGetValue((key, userId), out var write) && write);
    }
}
