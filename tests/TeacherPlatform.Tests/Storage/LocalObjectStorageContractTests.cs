using TeacherPlatform.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Core.Storage.Local;

namespace TeacherPlatform.Tests.Storage;

/// <summary>The contract against the local provider, plus what only the API-served variant does.</summary>
public sealed class LocalObjectStorageContractTests : ObjectStorageContractTests
{
    private const int MaxUploadBytes = 256 * 1024;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    protected override string SignatureParameter => "sig";

    private string ObjectsDirectory => Path.Combine(Host.DataDirectory, "objects");

    protected override Task<StorageTestHost> StartHostAsync() =>
        StorageTestHost.StartAsync(
            new Dictionary<string, string?> { ["Storage:MaxUploadBytes"] = MaxUploadBytes.ToString() },
            services => services.AddSingleton<TimeProvider>(_time));

    protected override async Task<Uri> CreateExpiredDownloadUrlAsync(string key)
    {
        var url = await Storage.CreateDownloadUrlAsync(key, null, TimeSpan.FromMinutes(1), null);
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        return url.Url;
    }

    protected override async Task AssertDeniedAsync(HttpResponseMessage response, Denial reason) =>
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, reason == Denial.Expired ? "url_expired" : "invalid_signature");

    [Fact]
    public async Task Urls_have_the_documented_shape()
    {
        var userId = Guid.NewGuid();
        var url = await Storage.CreateUploadUrlAsync("projects/p1/score.pdf", "application/pdf", TimeSpan.FromHours(1), userId);

        var expires = _time.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        Assert.StartsWith($"{Host.BaseAddress}api/storage/projects/p1/score.pdf?op=put&exp={expires}&uid={userId}&sig=", url.Url.ToString());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(expires), url.ExpiresAt);
        Assert.Equal("local", Storage.Provider);
    }

    [Fact]
    public async Task Etag_is_the_content_sha256()
    {
        var key = NewKey();
        var content = RandomBytes(10_000);
        await UploadAsync(key, content);

        var info = await Storage.HeadAsync(key);

        Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(content))}\"", info?.ETag);
        Assert.True(File.Exists(Path.Combine(ObjectsDirectory, key)));
    }

    [Fact]
    public async Task Get_supports_single_ranges_and_conditional_requests()
    {
        var key = NewKey();
        var content = RandomBytes(50_000);
        await UploadAsync(key, content);
        var url = (await Storage.CreateDownloadUrlAsync(key, null, Lifetime, null)).Url;

        using var full = await Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal("bytes", full.Headers.AcceptRanges.Single());
        // The served type is decided from the bytes (random here), never replayed from the upload's Content-Type.
        Assert.Equal("application/octet-stream", full.Content.Headers.ContentType?.MediaType);
        var etag = full.Headers.ETag!;

        using var ranged = await SendAsync(url, request => request.Headers.Range = new RangeHeaderValue(100, 1_099));
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal("bytes 100-1099/50000", ranged.Content.Headers.ContentRange?.ToString());
        Assert.Equal(content[100..1_100], await ranged.Content.ReadAsByteArrayAsync());

        using var unsatisfiable = await SendAsync(url, request => request.Headers.Range = new RangeHeaderValue(60_000, 70_000));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */50000", unsatisfiable.Content.Headers.ContentRange?.ToString());

        using var notModified = await SendAsync(url, request => request.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Oversized_upload_with_content_length_is_refused_upfront_and_leaves_no_file()
    {
        var key = NewKey();
        var url = await Storage.CreateUploadUrlAsync(key, "application/pdf", Lifetime, null);

        using var response = await Http.PutAsync(url.Url, PdfContent(RandomBytes(MaxUploadBytes + 1)));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Null(await Storage.HeadAsync(key));
        Assert.Empty(FilesUnder(ObjectsDirectory));
    }

    [Fact]
    public async Task Oversized_chunked_upload_is_cut_off_while_streaming_and_leaves_no_file()
    {
        var key = NewKey();
        var url = await Storage.CreateUploadUrlAsync(key, "application/pdf", Lifetime, null);
        // A forward-only body has no known length, so HttpClient sends it chunked, without Content-Length.
        var body = new StreamContent(new ForwardOnlyStream(RandomBytes(MaxUploadBytes + 100_000)));

        using var response = await Http.PutAsync(url.Url, body);

        Assert.Null(body.Headers.ContentLength);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Null(await Storage.HeadAsync(key));
        Assert.Empty(FilesUnder(ObjectsDirectory));
    }

    [Fact]
    public async Task Upload_at_the_limit_is_accepted()
    {
        var key = NewKey();
        await UploadAsync(key, RandomBytes(MaxUploadBytes));
        Assert.Equal(MaxUploadBytes, (await Storage.HeadAsync(key))?.Size);
    }

    [Fact]
    public async Task Interrupted_upload_leaves_no_file_under_the_final_name_and_keeps_the_previous_version()
    {
        var key = NewKey();
        var previous = RandomBytes(1_000);
        await UploadAsync(key, previous);
        var url = await Storage.CreateUploadUrlAsync(key, "application/pdf", Lifetime, null);

        // Raw socket: announce 200 kB, send 20 kB, then drop the connection.
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(url.Url.Host, url.Url.Port);
            var stream = client.GetStream();
            var head = $"PUT {url.Url.PathAndQuery} HTTP/1.1\r\nHost: {url.Url.Authority}\r\nContent-Type: application/pdf\r\nContent-Length: 200000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(RandomBytes(20_000));
            await stream.FlushAsync();
            // Drop the connection once the server is writing the upload (its temp file exists).
            await Eventually.TrueAsync(() => Task.FromResult(FilesUnder(ObjectsDirectory).Any(file => file.EndsWith(".tmp", StringComparison.Ordinal))),
                "the server to start writing the upload");
        }

        // The server notices the abort asynchronously; wait for its clean-up of the temp file.
        await Eventually.TrueAsync(() => Task.FromResult(!FilesUnder(ObjectsDirectory).Any(file => file.EndsWith(".tmp", StringComparison.Ordinal))),
            "the server to remove the partial upload");
        Assert.DoesNotContain(FilesUnder(ObjectsDirectory), file => file.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.Equal(previous, await ReadAllAsync(await Storage.OpenReadAsync(key)));
    }

    [Fact]
    public async Task Failed_server_side_put_leaves_nothing_behind()
    {
        var key = NewKey();

        await Assert.ThrowsAsync<IOException>(() => Storage.PutAsync(key, new FailingStream(RandomBytes(100_000)), "application/pdf"));

        Assert.Null(await Storage.HeadAsync(key));
        Assert.Empty(FilesUnder(ObjectsDirectory));
    }

    [Fact]
    public async Task Invalid_key_in_the_url_path_is_rejected()
    {
        var url = await Storage.CreateDownloadUrlAsync("ok/file.pdf", null, Lifetime, null);

        using var response = await Http.GetAsync(new Uri(url.Url.ToString().Replace("ok/file.pdf", "ok/.file.pdf.meta")));

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "invalid_signature");
    }

    [Fact]
    public async Task Generated_signing_key_is_private_and_reused()
    {
        // Generated lazily, on the first use of the signer.
        var hostKey = Host.Services.GetRequiredService<LocalSigningKey>();
        var file = Path.Combine(Host.DataDirectory, "keys", "storage-signing.key");
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var options = new LocalStorageOptions { SigningKeyFile = file };
        var claims = new SignedUrlClaims("get", "a.pdf", "1", "", null);
        var first = new LocalUrlSigner(LocalSigningKey.FromOptions(options), _time).Sign(claims);
        var second = new LocalUrlSigner(hostKey, _time).Sign(claims);
        Assert.Equal(first, second);
        Assert.Equal(32, Convert.FromBase64String(await File.ReadAllTextAsync(file)).Length);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        configure(request);
        return await Http.SendAsync(request);
    }

    private static string[] FilesUnder(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories) : [];

    /// <summary>Yields some bytes, then fails like a dropped connection.</summary>
    private sealed class FailingStream(byte[] content) : ReadOnlyStreamBase(new MemoryStream(content), leaveOpen: false)
    {
        private int _reads;

        public override int Read(Span<byte> buffer) => ++_reads > 2 ? throw new IOException("connection reset") : Inner.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ++_reads > 2 ? throw new IOException("connection reset") : Inner.ReadAsync(buffer, cancellationToken);
    }
}
