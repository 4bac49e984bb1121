using Npgsql;

namespace Orchestration.Tests.Adapters.Postgres;

/// <summary>
/// A schema of one's own on the test PostgreSQL, dropped afterwards: test classes run in parallel on one
/// database, and each must see only its own events. Connections to a stopped server fail the test, never skip it.
/// </summary>
internal sealed class TestSchema : IAsyncDisposable
{
    private readonly List<NpgsqlDataSource> _sources = [];

    public TestSchema() => Source = NewSource();

    public string Name { get; } = $"t_{Guid.NewGuid():N}";

    public NpgsqlDataSource Source { get; }

    /// <summary>A separate connection pool, as another process on the same database would have.</summary>
    public NpgsqlDataSource NewSource()
    {
        var source = NpgsqlDataSource.Create(Services.Postgres);
        _sources.Add(source);
        return source;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = Source.CreateCommand(sql.Replace("{schema}", $"\"{Name}\"", StringComparison.Ordinal));
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await using (var drop = Source.CreateCommand($"DROP SCHEMA IF EXISTS \"{Name}\" CASCADE"))
            await drop.ExecuteNonQueryAsync();
        foreach (var source in _sources) await source.DisposeAsync();
    }
}
