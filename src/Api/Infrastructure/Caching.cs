using Microsoft.Extensions.Caching.StackExchangeRedis;

namespace TeacherPlatform.Api.Infrastructure;

public sealed class CacheOptions
{
    public const string Section = "Cache";
    /// <summary>StackExchange.Redis configuration string (e.g. "redis:6379,password=…"); empty keeps the cache in memory only.</summary>
    public string? Redis { get; set; }
    public string InstanceName { get; set; } = "teacherplatform:";
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
        services.AddHybridCache(o =>
        {
            o.MaximumPayloadBytes = 4 * 1024 * 1024;
            o.DefaultEntryOptions = new Microsoft.Extensions.Caching.Hybrid.HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10), LocalCacheExpiration = TimeSpan.FromMinutes(10) };
        });
        // Registered lazily from options so that configuration added after start-up registration (tests, env) counts.
        services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(sp =>
        {
            var o = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<CacheOptions>>().Value;
            if (string.IsNullOrWhiteSpace(o.Redis))
                return new Microsoft.Extensions.Caching.Distributed.MemoryDistributedCache(
                    Microsoft.Extensions.Options.Options.Create(new Microsoft.Extensions.Caching.Memory.MemoryDistributedCacheOptions()));
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
