using Microsoft.AspNetCore.Http.HttpResults;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Api.Infrastructure;

namespace TeacherPlatform.Api.Features.Auth;

/// <summary>Accounts and tokens. Rules (validation, lockout, refresh rotation) are in <see cref="AuthService"/>.</summary>
public static class AuthEndpoints
{
    public static IServiceCollection AddAuth(this IServiceCollection services)
    {
        services.AddScoped<AuthService>();
        return services;
    }

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/register", RegisterAsync).WithName("Register")
            .WithSummary("Register a teacher or student account")
            .AllowAnonymous().RequireRateLimiting(RateLimiting.AuthPolicy).ProducesProblem(400).ProducesProblem(409);
        group.MapPost("/login", LoginAsync).WithName("Login")
            .WithSummary("Exchange email and password for an access and a refresh token")
            .AllowAnonymous().RequireRateLimiting(RateLimiting.AuthPolicy).ProducesProblem(400).ProducesProblem(401);
        group.MapPost("/refresh", RefreshAsync).WithName("RefreshToken")
            .WithSummary("Rotate a refresh token; reusing an old one revokes the session")
            .AllowAnonymous().RequireRateLimiting(RateLimiting.AuthPolicy).ProducesProblem(400).ProducesProblem(401);
        group.MapPost("/logout", LogoutAsync).WithName("Logout")
            .WithSummary("Revoke the current session's refresh tokens");
        group.MapGet("/me", MeAsync).WithName("GetCurrentUser")
            .WithSummary("The signed-in user")
            .ProducesProblem(404);

        // The current key and every retired key whose tokens may still be alive (rotation without logouts).
        app.MapGet("/.well-known/jwks.json", GetJwks).WithName("GetJwks").WithTags("Auth")
            .WithSummary("Public keys that verify access tokens")
            .AllowAnonymous().CacheOutput(p => p.Expire(TimeSpan.FromMinutes(1)));
        return app;
    }

    public static async Task<Created<TokenResponse>> RegisterAsync(RegisterRequest request, AuthService auth, CancellationToken ct) =>
        TypedResults.Created("/api/auth/me", await auth.RegisterAsync(request, ct));

    public static async Task<Ok<TokenResponse>> LoginAsync(LoginRequest request, AuthService auth, CancellationToken ct) =>
        TypedResults.Ok(await auth.LoginAsync(request, ct));

    public static async Task<Ok<TokenResponse>> RefreshAsync(RefreshRequest request, AuthService auth, CancellationToken ct) =>
        TypedResults.Ok(await auth.RefreshAsync(request, ct));

    public static async Task<NoContent> LogoutAsync(Caller caller, AuthService auth, CancellationToken ct)
    {
        await auth.LogoutAsync(caller, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<UserResponse>> MeAsync(Caller caller, AuthService auth, CancellationToken ct) =>
        TypedResults.Ok(await auth.MeAsync(caller, ct));

    public static Ok<JwksResponse> GetJwks(SigningKeys keys) => TypedResults.Ok(new JwksResponse(keys.PublishedJwks));
}
