using TeacherPlatform.Api.Auth;
using TeacherPlatform.Api.Infrastructure;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Features.Auth;

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/register", async (RegisterRequest request, AuthService auth, CancellationToken ct) =>
                TypedResults.Created("/api/auth/me", await auth.RegisterAsync(request, ct)))
            .AllowAnonymous().RequireRateLimiting(RateLimiting.AuthPolicy)
            .WithSummary("Register a teacher or student account");

        group.MapPost("/login", async (LoginRequest request, AuthService auth, CancellationToken ct) =>
                TypedResults.Ok(await auth.LoginAsync(request, ct)))
            .AllowAnonymous().RequireRateLimiting(RateLimiting.AuthPolicy)
            .WithSummary("Exchange email and password for an access and a refresh token");

        group.MapPost("/refresh", async (RefreshRequest request, AuthService auth, CancellationToken ct) =>
                TypedResults.Ok(await auth.RefreshAsync(request, ct)))
            .AllowAnonymous().RequireRateLimiting(RateLimiting.AuthPolicy)
            .WithSummary("Rotate a refresh token; reusing an old one revokes the session");

        group.MapPost("/logout", async (HttpContext http, AuthService auth, CancellationToken ct) =>
            {
                await auth.LogoutAsync(Caller.From(http.User), http.User.SessionId(), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization().WithSummary("Revoke the current session's refresh tokens");

        group.MapGet("/me", async (HttpContext http, UserStore users, CancellationToken ct) =>
            {
                var user = await users.FindByIdAsync(http.User.UserId(), ct) ?? throw AppProblem.NotFound("User");
                return TypedResults.Ok(UserResponse.From(user));
            })
            .RequireAuthorization().WithSummary("The signed-in user");

        // The current key and every retired key whose tokens may still be alive (rotation without logouts).
        app.MapGet("/.well-known/jwks.json", (SigningKeys keys) => TypedResults.Ok(new { keys = keys.PublishedJwks }))
            .AllowAnonymous().WithTags("Auth").WithSummary("Public keys that verify access tokens")
            .CacheOutput(p => p.Expire(TimeSpan.FromMinutes(1)));

        return app;
    }
}
