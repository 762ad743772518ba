// Edge gateway: a thin reverse proxy in front of the API that serves cached file streams.
// Placeholder host until the edge issue lands; it only answers its own health check.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/edge/health", () => Results.Ok(new { status = "ok" }));
app.Run();
