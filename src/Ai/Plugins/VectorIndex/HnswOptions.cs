namespace TeacherPlatform.Ai.VectorIndex;

/// <summary>HNSW parameters (Malkov &amp; Yashunin 2018); the same knobs pgvector exposes.</summary>
/// <param name="M">Links per node on upper layers; layer 0 gets 2·M.</param>
/// <param name="EfConstruction">Candidate list size while inserting: higher builds slower and a better graph.</param>
/// <param name="EfSearch">Default candidate list size while searching (raised to k when smaller).</param>
/// <param name="Seed">Seed for level generation, so a given insertion order always builds the same graph.</param>
public sealed record HnswOptions(int M = 16, int EfConstruction = 200, int EfSearch = 100, int Seed = 42)
{
    public HnswOptions() : this(16, 200, 100, 42) { }
}
