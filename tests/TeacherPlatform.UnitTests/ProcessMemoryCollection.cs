namespace TeacherPlatform.UnitTests;

/// <summary>
/// Tests that read process-wide GC counters (allocated bytes, heap size) run alone: any test beside them — a model
/// fixture quantising its int8 copy, say — would allocate into the same counters.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "Process memory";
}
