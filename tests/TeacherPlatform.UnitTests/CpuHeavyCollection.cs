namespace TeacherPlatform.UnitTests;

/// <summary>
/// Tests that keep both cores busy (HNSW builds, model inference) run alone, never beside each other or beside
/// tests that wait on sockets and deadlines.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuHeavyCollection
{
    public const string Name = "CPU-heavy";
}
