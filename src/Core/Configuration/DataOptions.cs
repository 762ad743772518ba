namespace TeacherPlatform.Core.Configuration;

/// <summary>Where the embedded defaults keep their files (SQLite database, keys, local objects, index snapshots).</summary>
public sealed class DataOptions
{
    public const string Section = "Data";
    /// <summary>Relative paths resolve against the working directory.</summary>
    public string Directory { get; set; } = "data";

    public string FullPath => Path.GetFullPath(Directory);

    public string Combine(params string[] parts)
    {
        var path = Path.Combine([FullPath, .. parts]);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
