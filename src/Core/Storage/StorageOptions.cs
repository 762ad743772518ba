namespace TeacherPlatform.Core.Storage;

public enum StorageProvider
{
    Local,
    S3,
}

/// <summary>Bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const long DefaultMaxUploadBytes = 50L * 1024 * 1024;

    public StorageProvider Provider { get; set; } = StorageProvider.Local;

    /// <summary>Largest object accepted through an upload URL served by the API (local provider).</summary>
    public long MaxUploadBytes { get; set; } = DefaultMaxUploadBytes;

    public LocalStorageOptions Local { get; set; } = new();

    public S3StorageOptions S3 { get; set; } = new();
}

public sealed class LocalStorageOptions
{
    /// <summary>Root of the stored objects; defaults to <c>{Data:Directory}/objects</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Base of the signed URLs, e.g. <c>https://api.example.com</c>. When absent the current request's
    /// scheme/host/path base is used, else <c>http://localhost:5000</c>.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Base64 HMAC key (≥ 32 bytes recommended). When absent a key is generated once into
    /// <c>{Data:Directory}/keys/storage-signing.key</c>; several API instances must share it.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Where the generated signing key lives; derived from <c>Data:Directory</c>.</summary>
    public string? SigningKeyFile { get; set; }
}

public sealed class S3StorageOptions
{
    /// <summary>Endpoint of an S3-compatible service (R2, MinIO); empty means AWS S3 itself.</summary>
    public string? ServiceUrl { get; set; }
    public string Bucket { get; set; } = "";
    /// <summary>Signing region; R2 uses <c>auto</c>.</summary>
    public string Region { get; set; } = "auto";
    /// <summary>When absent the SDK's default credential chain is used.</summary>
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public bool ForcePathStyle { get; set; } = true;
}
