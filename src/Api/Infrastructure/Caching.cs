using Microsoft.Extensions.Caching.StackExchangeRedis;

namespace TeacherPlatform.Api.Infrastructure;

public sealed class CacheOptions
{
    public const string Section = "Cache";
    /// <summary>StackExchange.Redis configuration string (e.g. "redis:6379,password=…"); empty keeps the cache in memory only.</summary>
    public string? Redis { get; set; }
    public string InstanceName { get; set; } = "teacherplatform:";
    /// <summary>
    /// Upper bound of the in-memory (L1) cache layer, counted as HybridCache counts entries: their serialized size.
    /// When full, new entries are not kept and older ones are compacted away.
    /// </summary>
    public int MemoryLimitMegabytes { get; set; } = 256;
}

public static class Caching
{
    /// <summary>
    /// HybridCache: in-memory L1, Redis L2 when Cache:Redis is set. Redis failures are logged by HybridCache and
    /// treated as misses; connection attempts are short and never abort the request.
    /// </summary>
    public static IServiceCollection AddApiCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.Section));
        // HybridCache gives every L1 entry its serialized size, so a size limit bounds the memory layer's bytes.
        services.AddMemoryCache();
        services.AddOptions<Microsoft.Extensions.Caching.Memory.MemoryCacheOptions>().Configure<Microsoft.Extensions.Options.IOptions<CacheOptions>>(
            (memory, cache) =>
            {
                memory.SizeLimit = Math.Max(1, cache.Value.MemoryLimitMegabytes) * 1024L * 1024L;
                memory.TrackStatistics = true; // current size and hit counts for diagnostics
            });
        services.AddHybridCache(o =>
        {
            o.MaximumPayloadBytes = 4 * 1024 * 1024;
            o.DefaultEntryOptions = new Microsoft.Extensions.Caching.Hybrid.HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10), LocalCacheExpiration = TimeSpan.FromMinutes(10) };
        });
        // Registered lazily from options so that configuration added after start-up registration (tests, env) counts.
        services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(sp =>
        {
            var o = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<CacheOptions>>().Value;
            // Without Redis there is no second layer: an in-memory "distributed" cache would only hold a second copy.
            if (string.IsNullOrWhiteSpace(o.Redis)) return NoDistributedCache.Instance;
            var config = StackExchange.Redis.ConfigurationOptions.Parse(o.Redis);
            config.AbortOnConnectFail = false;
            config.ConnectTimeout = Math.Min(config.ConnectTimeout, 2000);
            config.SyncTimeout = Math.Min(config.SyncTimeout, 1000);
            config.AsyncTimeout = Math.Min(config.AsyncTimeout, 1000);
            return new RedisCache(Microsoft.Extensions.Options.Options.Create(new RedisCacheOptions { ConfigurationOptions = config, InstanceName = o.InstanceName }));
        });
        return services;
    }
}

/// <summary>A distributed layer that stores nothing (memory-only HybridCache).</summary>
public sealed class NoDistributedCache : Microsoft.Extensions.Caching.Distributed.IDistributedCache
{
    public static readonly NoDistributedCache Instance = new();
    public byte[]? Get(string key) => null;
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult<byte[]?>(null);
    public void Refresh(string key) { }
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;
    public void Remove(string key) { }
    public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;
    public void Set(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options) { }
    public Task SetAsync(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options, CancellationToken token = default) => Task.CompletedTask;
}
