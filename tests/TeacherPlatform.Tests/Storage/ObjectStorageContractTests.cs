using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Tests.Storage;

public enum Denial
{
    InvalidSignature,
    Expired,
}

/// <summary>
/// Behaviour every <see cref="IObjectStorage"/> must share, exercised over real HTTP with a plain HttpClient the way
/// a browser or app client uses the URLs. Subclasses provide the provider and its way of saying "denied".
/// </summary>
public abstract class ObjectStorageContractTests : IAsyncLifetime
{
    protected static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private StorageTestHost? _host;

    protected StorageTestHost Host => _host ?? throw new InvalidOperationException("The host is not running.");
    protected IObjectStorage Storage => Host.Storage;
    protected HttpClient Http => Host.Client;

    /// <summary>Set when the provider's backing service is unavailable; the tests then report as skipped.</summary>
    protected virtual string? SkipReason => null;

    protected abstract string SignatureParameter { get; }

    protected abstract Task<StorageTestHost> StartHostAsync();

    /// <summary>A download URL for <paramref name="key"/> that is past its expiry by the time it is used.</summary>
    protected abstract Task<Uri> CreateExpiredDownloadUrlAsync(string key);

    protected abstract Task AssertDeniedAsync(HttpResponseMessage response, Denial reason);

    public async Task InitializeAsync()
    {
        if (SkipReason is null)
        {
            _host = await StartHostAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Upload_through_presigned_put_then_head_reports_size_and_etag()
    {
        SkipIfUnavailable();
        var key = NewKey();
        var content = RandomBytes(200_000);

        var put = await UploadAsync(key, content);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var info = await Storage.HeadAsync(key);
        Assert.NotNull(info);
        Assert.Equal(key, info.Key);
        Assert.Equal(content.Length, info.Size);
        Assert.Matches("^\"[^\"]+\"$", info.ETag);
        Assert.Equal(info.ETag, put.Headers.ETag?.Tag);
        Assert.Equal("application/pdf", info.ContentType);
    }

    [SkippableFact]
    public async Task Ranged_read_returns_exact_bytes()
    {
        SkipIfUnavailable();
        var key = NewKey();
        var content = RandomBytes(100_000);
        await UploadAsync(key, content);

        Assert.Equal(content[1_000..6_000], await ReadAllAsync(await Storage.OpenReadAsync(key, 1_000, 5_000)));
        Assert.Equal(content[99_990..], await ReadAllAsync(await Storage.OpenReadAsync(key, 99_990)));
        Assert.Equal(content, await ReadAllAsync(await Storage.OpenReadAsync(key)));
    }

    [SkippableFact]
    public async Task Download_url_returns_the_bytes_with_the_file_name()
    {
        SkipIfUnavailable();
        var key = NewKey();
        var content = RandomBytes(70_000);
        await UploadAsync(key, content);

        var url = await Storage.CreateDownloadUrlAsync(key, "Etude 1.pdf", Lifetime, Guid.NewGuid());
        using var response = await Http.GetAsync(url.Url);

        Assert.True(HttpStatusCode.OK == response.StatusCode, $"{url.Url} → {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.Equal("Etude 1.pdf", disposition?.FileNameStar ?? disposition?.FileName?.Trim('"'));
        Assert.InRange(url.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
    }

    [SkippableFact]
    public async Task Server_side_put_accepts_a_forward_only_stream()
    {
        SkipIfUnavailable();
        var key = NewKey();
        var content = RandomBytes(150_000);

        await Storage.PutAsync(key, new ForwardOnlyStream(content), "text/plain");

        Assert.Equal(content.Length, (await Storage.HeadAsync(key))?.Size);
        Assert.Equal(content, await ReadAllAsync(await Storage.OpenReadAsync(key)));
    }

    [SkippableFact]
    public async Task Delete_removes_the_object()
    {
        SkipIfUnavailable();
        var key = NewKey();
        await UploadAsync(key, RandomBytes(1_000));

        Assert.True(await Storage.DeleteAsync(key));

        Assert.Null(await Storage.HeadAsync(key));
        Assert.False(await Storage.DeleteAsync(key));
        await Assert.ThrowsAsync<FileNotFoundException>(() => Storage.OpenReadAsync(key));
        var url = await Storage.CreateDownloadUrlAsync(key, null, Lifetime, null);
        using var response = await Http.GetAsync(url.Url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [SkippableFact]
    public async Task Deleting_an_object_that_was_never_uploaded_is_a_no_op()
    {
        // A project deleted before its upload: nothing under its prefix exists, not even a folder.
        SkipIfUnavailable();
        var key = $"never-{Guid.NewGuid():N}/{Guid.NewGuid():N}/source.pdf";

        Assert.False(await Storage.DeleteAsync(key));
        Assert.Null(await Storage.HeadAsync(key));
    }

    [SkippableFact]
    public async Task Head_of_a_missing_object_is_null()
    {
        SkipIfUnavailable();
        Assert.Null(await Storage.HeadAsync(NewKey()));
    }

    [SkippableFact]
    public async Task Tampered_signature_is_rejected()
    {
        SkipIfUnavailable();
        var key = NewKey();
        await UploadAsync(key, RandomBytes(1_000));
        var url = await Storage.CreateDownloadUrlAsync(key, null, Lifetime, Guid.NewGuid());

        using var response = await Http.GetAsync(Tamper(url.Url, SignatureParameter));

        await AssertDeniedAsync(response, Denial.InvalidSignature);
    }

    [SkippableFact]
    public async Task Url_for_another_key_or_method_is_rejected()
    {
        SkipIfUnavailable();
        var key = NewKey();
        await UploadAsync(key, RandomBytes(1_000));
        var download = await Storage.CreateDownloadUrlAsync(key, null, Lifetime, null);

        using var put = await Http.PutAsync(download.Url, PdfContent(RandomBytes(10)));
        var otherKey = new UriBuilder(download.Url) { Path = download.Url.AbsolutePath.Replace(".pdf", "-other.pdf") }.Uri;
        using var get = await Http.GetAsync(otherKey);

        await AssertDeniedAsync(put, Denial.InvalidSignature);
        await AssertDeniedAsync(get, Denial.InvalidSignature);
        Assert.Equal(1_000, (await Storage.HeadAsync(key))?.Size);
    }

    [SkippableFact]
    public async Task Expired_url_is_rejected()
    {
        SkipIfUnavailable();
        var key = NewKey();
        await UploadAsync(key, RandomBytes(1_000));
        var url = await CreateExpiredDownloadUrlAsync(key);

        using var response = await Http.GetAsync(url);

        await AssertDeniedAsync(response, Denial.Expired);
    }

    [SkippableFact]
    public async Task Invalid_keys_are_rejected()
    {
        SkipIfUnavailable();
        string[] invalid = ["", "/leading", "a/../b", "..", "../escape", "a//b", "trailing/", "with space", "ümlaut", ".hidden", "a/.meta", @"a\b", "a%2e%2e", new string('a', 1025)];

        foreach (var key in invalid)
        {
            Assert.False(ObjectKey.IsValid(key), key);
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.CreateUploadUrlAsync(key, "application/pdf", Lifetime, null));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.HeadAsync(key));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.PutAsync(key, new MemoryStream([1]), "application/pdf"));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.DeleteAsync(key));
        }

        Assert.True(ObjectKey.IsValid("projects/0f8fad5b-d9cb-469f-a165-70867728950e/Score_v1.2-final.pdf"));
    }

    [SkippableFact]
    public async Task Is_ready()
    {
        SkipIfUnavailable();
        Assert.True(await Storage.IsReadyAsync());
    }

    protected void SkipIfUnavailable() => Skip.If(SkipReason is not null, SkipReason);

    protected static string NewKey() => $"contract/{Guid.NewGuid():N}/score.pdf";

    protected static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    protected static ByteArrayContent PdfContent(byte[] bytes) =>
        new(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } };

    protected async Task<HttpResponseMessage> UploadAsync(string key, byte[] content)
    {
        var url = await Storage.CreateUploadUrlAsync(key, "application/pdf", Lifetime, Guid.NewGuid());
        var response = await Http.PutAsync(url.Url, PdfContent(content));
        Assert.True(response.IsSuccessStatusCode, $"PUT {url.Url} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    /// <summary>Changes the first character of a query parameter's value.</summary>
    protected static Uri Tamper(Uri url, string parameter)
    {
        var query = url.Query.TrimStart('?').Split('&').Select(pair =>
        {
            if (!pair.StartsWith(parameter + "=", StringComparison.Ordinal))
            {
                return pair;
            }

            var value = pair[(parameter.Length + 1)..];
            var first = value[0] == 'A' ? 'B' : 'A';
            return $"{parameter}={first}{value[1..]}";
        });
        return new UriBuilder(url) { Query = string.Join('&', query) }.Uri;
    }

    /// <summary>A non-seekable stream of known bytes, like a request body.</summary>
    protected sealed class ForwardOnlyStream(byte[] content) : ReadOnlyStreamBase(new MemoryStream(content), leaveOpen: false)
    {
        public override int Read(Span<byte> buffer) => Inner.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Inner.ReadAsync(buffer, cancellationToken);
    }
}
