using AsyncFetcher.Core.Storage;

namespace AsyncFetcher.Core.Tests.Storage;

public sealed class RedisAddressTests
{
    [Theory]
    [InlineData("redis://127.0.0.1:6380/2", "127.0.0.1", 6380, 2)]
    [InlineData("redis://cache.example", "cache.example", 6379, 0)]
    [InlineData("redis://cache.example/", "cache.example", 6379, 0)]
    public void Reads_host_port_and_database(string text, string host, int port, int database)
    {
        Assert.True(RedisAddress.TryParse(text, out var options, out _));
        Assert.Equal($"{host}:{port}", StackExchange.Redis.EndPointCollection.ToString(Assert.Single(options.EndPoints)));
        Assert.Equal(database, options.DefaultDatabase ?? 0);
        Assert.False(options.Ssl);
    }

    [Fact]
    public void Reads_user_password_and_tls()
    {
        Assert.True(RedisAddress.TryParse("rediss://crawler:p%40ss@cache.example:6390/1", out var options, out _));
        Assert.Equal(("crawler", "p@ss", true), (options.User, options.Password, options.Ssl));
        Assert.True(RedisAddress.TryParse("redis://:secret@cache.example", out options, out _));
        Assert.Equal((null, "secret"), (options.User, options.Password));
        Assert.Equal("redis://***@cache.example", RedisAddress.Redact("redis://:secret@cache.example"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:6379/0")]
    [InlineData("127.0.0.1:6379")]
    [InlineData("redis://127.0.0.1:6379/x")]
    public void Rejects_what_is_not_a_redis_address(string text)
    {
        Assert.False(RedisAddress.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }
}
