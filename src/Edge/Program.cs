// Edge gateway: one entry point in front of one or more API instances (YARP), serving project PDFs from an edge cache.
using TeacherPlatform.Edge;

var app = EdgeApp.Build(args);
await app.RunAsync();
