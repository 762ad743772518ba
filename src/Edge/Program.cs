namespace TeacherPlatform.Edge;

/// <summary>
/// Edge gateway: one entry point in front of one or more API instances (YARP), serving project PDFs from an edge cache.
/// A named class rather than top-level statements, so that tests can reference the API's and the edge's assemblies together.
/// </summary>
public static class EdgeProgram
{
    public static async Task Main(string[] args)
    {
        var app = EdgeApp.Build(args);
        await app.RunAsync();
    }
}
