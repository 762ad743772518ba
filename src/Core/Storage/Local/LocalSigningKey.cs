using System.Security.Cryptography;

namespace TeacherPlatform.Core.Storage.Local;

/// <summary>HMAC key for the local provider's signed URLs: from configuration, else generated once into a file.</summary>
public sealed class LocalSigningKey
{
    private const int GeneratedKeyBytes = 32;

    public LocalSigningKey(byte[] key)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("The storage signing key must be at least 16 bytes.", nameof(key));
        }

        Key = key;
    }

    internal byte[] Key { get; }

    public static LocalSigningKey FromOptions(LocalStorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            return new LocalSigningKey(Convert.FromBase64String(options.SigningKey));
        }

        var file = options.SigningKeyFile
            ?? throw new InvalidOperationException("Storage:Local:SigningKey or a signing key file is required.");
        return new LocalSigningKey(LoadOrCreate(file));
    }

    private static byte[] LoadOrCreate(string file)
    {
        if (File.Exists(file))
        {
            return Convert.FromBase64String(File.ReadAllText(file).Trim());
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Written to a private temp file and moved without overwrite: instances starting together agree on one key.
        var key = RandomNumberGenerator.GetBytes(GeneratedKeyBytes);
        var temp = Path.Combine(directory, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}.tmp");
        var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var writer = new StreamWriter(temp, System.Text.Encoding.ASCII, streamOptions))
            {
                writer.Write(Convert.ToBase64String(key));
            }

            File.Move(temp, file, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(file))
        {
            return Convert.FromBase64String(File.ReadAllText(file).Trim());
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
