using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Configuration;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Operations;

public sealed class SigningKeyRotationTests
{
    [SkippableFact]
    public async Task Rotation_keeps_earlier_tokens_valid_and_new_tokens_use_the_new_key_on_both_instances()
    {
        // PGlite serves one connection at a time, so two hosts cannot share it; the SQLite run covers this.
        Skip.If(ApiFactory.IsPostgres, "two instances on one PGlite connection");
        await using var a = new ApiFactory();
        await using var b = ApiFactory.With(a.SharedStateSettings());
        var user = await a.RegisterAsync("teacher");
        var oldKid = OpsKit.Kid(user.AccessToken);
        var onB = b.CreateClient();
        onB.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(oldKid, OpsKit.Kid((await LoginAsync(b, user.Email)).AccessToken));

        // The operator command, as a separate process on the same database.
        var cli = await OpsKit.RunCliAsync(["rotate-signing-key"], OpsKit.AsEnvironment(a.SharedStateSettings()));
        Assert.True(cli.ExitCode == 0, cli.ToString());
        Assert.Contains("is current", cli.Stdout);

        // Instance A picks the rotation up on its periodic reload (run here directly instead of waiting a minute).
        Assert.True(await a.Services.GetRequiredService<SigningKeys>().RefreshAsync(CancellationToken.None));
        var jwks = await (await a.CreateClient().GetAsync("/.well-known/jwks.json")).ReadJsonAsync();
        var kids = jwks["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).ToList();
        Assert.Equal(2, kids.Count);
        Assert.Contains(oldKid, kids);
        var newKid = kids.Single(k => k != oldKid);

        // New tokens from A use the new key; B has not reloaded yet but accepts them (an unknown kid triggers a reload).
        var fresh = await LoginAsync(a, user.Email);
        Assert.Equal(newKid, OpsKit.Kid(fresh.AccessToken));
        var freshOnB = b.CreateClient();
        freshOnB.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fresh.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await freshOnB.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(newKid, OpsKit.Kid((await LoginAsync(b, user.Email)).AccessToken));

        // Nobody was logged out: the token signed before the rotation still works on both instances.
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/auth/me")).StatusCode);
        // …and refresh tokens are unaffected.
        var refreshed = await a.CreateClient().PostJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(newKid, OpsKit.Kid((await refreshed.ReadJsonAsync())["access_token"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Retired_keys_are_published_until_their_last_token_expired_then_dropped()
    {
        var (keys, clock, _) = await NewKeySetAsync();
        await keys.InitializeAsync(CancellationToken.None);
        var first = keys.KeyId;
        var (second, retired, _) = await keys.RotateAsync(CancellationToken.None);
        Assert.Equal([first], retired);
        Assert.Equal(second, keys.KeyId);
        Assert.Equal([second, first], keys.PublishedJwks.Select(k => k.Kid));
        Assert.Single(keys.ValidationKeys(first));

        // Access tokens live 1 h; instances reload every minute; 30 s clock skew.
        var retention = TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(30);
        Assert.Equal(retention, keys.RetiredKeyRetention);
        clock.Advance(retention - TimeSpan.FromSeconds(1));
        await keys.RefreshAsync(CancellationToken.None);
        Assert.Contains(first, keys.PublishedJwks.Select(k => k.Kid));

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await keys.RefreshAsync(CancellationToken.None));
        Assert.Equal([second], keys.PublishedJwks.Select(k => k.Kid));
        Assert.Empty(keys.ValidationKeys(first));

        // The next rotation destroys the expired key's private part for good.
        var (_, _, pruned) = await keys.RotateAsync(CancellationToken.None);
        Assert.Equal(1, pruned);
        Assert.DoesNotContain(first, keys.PublishedJwks.Select(k => k.Kid));
    }

    [Fact]
    public async Task An_existing_key_file_seeds_the_set_so_tokens_issued_before_the_upgrade_stay_valid()
    {
        var (keys, _, data) = await NewKeySetAsync(legacyKey: true);
        await keys.InitializeAsync(CancellationToken.None);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(data, "keys", "jwt-es256.pem")));
        var jwk = Microsoft.IdentityModel.Tokens.JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(ecdsa));
        Assert.Equal(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()), keys.KeyId);
        // Initialising again (a restart, a second instance) does not replace it.
        var kid = keys.KeyId;
        await keys.InitializeAsync(CancellationToken.None);
        Assert.Equal(kid, keys.KeyId);
    }

    [Fact]
    public async Task A_configured_key_becomes_current_once_and_a_later_rotation_wins_over_it()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (keys, _, _) = await NewKeySetAsync(configuredPem: ecdsa.ExportPkcs8PrivateKeyPem());
        await keys.InitializeAsync(CancellationToken.None);
        var configured = keys.KeyId;
        var (rotated, _, _) = await keys.RotateAsync(CancellationToken.None);
        // A restart with the same configuration keeps the rotated key current.
        await keys.InitializeAsync(CancellationToken.None);
        Assert.Equal(rotated, keys.KeyId);
        Assert.NotEqual(configured, rotated);
        Assert.Contains(configured, keys.PublishedJwks.Select(k => k.Kid));
    }

    private static async Task<(SigningKeys Keys, FakeTimeProvider Clock, string DataDirectory)> NewKeySetAsync(bool legacyKey = false, string? configuredPem = null)
    {
        var data = Directory.CreateTempSubdirectory("tp-keys-").FullName;
        if (legacyKey)
        {
            Directory.CreateDirectory(Path.Combine(data, "keys"));
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            await File.WriteAllTextAsync(Path.Combine(data, "keys", "jwt-es256.pem"), ecdsa.ExportPkcs8PrivateKeyPem());
        }
        var dataOptions = Options.Create(new DataOptions { Directory = data });
        var db = new Db(Options.Create(new DatabaseOptions()), dataOptions, NullLoggerFactory.Instance);
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var auth = new AuthOptions();
        auth.Jwt.SigningKey = configuredPem;
        return (new SigningKeys(db, Options.Create(auth), dataOptions, clock, NullLogger<SigningKeys>.Instance), clock, data);
    }

    private static async Task<(string AccessToken, JsonObject Body)> LoginAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory, string email)
    {
        var login = await factory.CreateClient().PostJsonAsync("/api/auth/login", new { email, password = TestClients.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.ReadJsonAsync();
        return (body["access_token"]!.GetValue<string>(), body);
    }
}
