using System.Net;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Knowledge;

/// <summary>The per-query cache layers stay within their configured memory.</summary>
public sealed class SearchCacheLimitsTests
{
    [Fact]
    public async Task The_memory_cache_layer_stays_within_its_configured_size()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Cache:MemoryLimitMegabytes"] = "1" });
        var teacher = await factory.RegisterAsync("teacher");
        var text = string.Join("\n\n", Enumerable.Range(1, 40).Select(i =>
            $"Lesson {i}: practise the scale of the day slowly with a metronome, then play the piece {i} hands separately and together, listening for an even tone in every finger."));
        await factory.IngestAsync(teacher, "Practice diary", "text", "diary.txt", Encoding.UTF8.GetBytes(text), "text/plain", isPublic: true);
        var student = await factory.RegisterAsync("student");

        // Each distinct search stores an embedding and a result set of up to 50 chunks: far more than 1 MB in all.
        for (var i = 0; i < 60; i++)
        {
            var response = await student.Client.PostJsonAsync("/api/search", new { query = $"how do I practise scale number {i} evenly", top_k = 50 });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var limit = factory.Services.GetRequiredService<IOptions<MemoryCacheOptions>>().Value.SizeLimit;
        Assert.Equal(1024 * 1024, limit);
        var stats = factory.Services.GetRequiredService<IMemoryCache>().GetCurrentStatistics();
        Assert.NotNull(stats);
        Assert.True(stats.CurrentEstimatedSize is > 0 and <= 1024 * 1024, $"estimated size {stats.CurrentEstimatedSize}");
    }
}
