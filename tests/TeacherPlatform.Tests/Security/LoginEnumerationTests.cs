using System.Net;
using System.Text.Json.Nodes;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Security;

/// <summary>
/// Login failures look the same for unknown and known emails (same statuses, codes and lockout), and the lockout
/// count is atomic: concurrent wrong guesses never get more than MaxFailedAttempts tries.
/// </summary>
public sealed class LoginEnumerationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<(HttpStatusCode Status, string? Code)> LoginAsync(string email, string password)
    {
        using var response = await factory.CreateClient().PostJsonAsync("/api/auth/login", new { email, password });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return (response.StatusCode, body["code"]?.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_and_known_emails_get_the_same_answers_and_the_same_lockout()
    {
        var known = await factory.RegisterAsync("student");
        var unknown = $"nobody-{Guid.NewGuid():N}@example.com";

        var knownAnswers = new List<(HttpStatusCode, string?)>();
        var unknownAnswers = new List<(HttpStatusCode, string?)>();
        for (var i = 0; i < 7; i++)
        {
            knownAnswers.Add(await LoginAsync(known.Email, "Wrong-password-1"));
            unknownAnswers.Add(await LoginAsync(unknown, "Wrong-password-1"));
        }

        Assert.Equal(knownAnswers, unknownAnswers);
        Assert.Equal(Enumerable.Repeat((HttpStatusCode.Unauthorized, (string?)"invalid_credentials"), 5), knownAnswers.Take(5));
        Assert.Equal(Enumerable.Repeat((HttpStatusCode.TooManyRequests, (string?)"account_locked"), 2), knownAnswers.Skip(5));
        // Locked means locked, even for the right password.
        Assert.Equal((HttpStatusCode.TooManyRequests, "account_locked"), await LoginAsync(known.Email, TestClients.Password));
        // Emails are compared normalised, so case games do not reset the count.
        Assert.Equal((HttpStatusCode.TooManyRequests, "account_locked"), await LoginAsync(" " + known.Email.ToUpperInvariant(), TestClients.Password));
    }

    [Fact]
    public async Task Thirty_concurrent_wrong_logins_get_at_most_five_guesses()
    {
        var user = await factory.RegisterAsync("teacher");
        var attempts = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => LoginAsync(user.Email, $"Wrong-password-{i}")));

        var guesses = attempts.Count(a => a == (HttpStatusCode.Unauthorized, "invalid_credentials"));
        var locked = attempts.Count(a => a == (HttpStatusCode.TooManyRequests, "account_locked"));
        Assert.Equal(30, guesses + locked);
        Assert.Equal(5, guesses);
        Assert.Equal((HttpStatusCode.TooManyRequests, "account_locked"), await LoginAsync(user.Email, TestClients.Password));
    }

    [Fact]
    public async Task A_successful_login_clears_the_count()
    {
        var user = await factory.RegisterAsync("student");
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(user.Email, "Wrong-password-1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(user.Email, TestClients.Password)).Status);
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(user.Email, "Wrong-password-1")).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(user.Email, TestClients.Password)).Status);
    }
}
