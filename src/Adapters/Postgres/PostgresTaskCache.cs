using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Orchestration.DataProcessing.Blobs;
using Orchestration.Ports;
using Orchestration.Storage;

namespace Orchestration.Adapters.Postgres;

/// <summary>
/// The task cache as a table of the deployment's schema (<c>orchestration_task_cache</c>: key, result as JSON): one
/// query finds a batch of keys, one insert records a batch (a key recorded first keeps its result). A result is served
/// only while every one of its outputs is still in the blob store.
/// </summary>
internal sealed class PostgresTaskCache(NpgsqlDataSource source, PostgresSchema schema, IBlobStore blobs) : ITaskCache
{
    public async Task<IReadOnlyDictionary<string, CachedResult>> FindAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, CachedResult>(StringComparer.Ordinal);
        await using (var command = source.CreateCommand($"SELECT key, result::text FROM {schema.TaskCache} WHERE key = ANY($1)"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                if (JsonSerializer.Deserialize<CachedResult>(reader.GetString(1), EventSerializer.Options) is { } result)
                    found[reader.GetString(0)] = result;
        }
        return await TaskCacheEntries.StillPresentAsync(found, blobs, cancellationToken);
    }

    public async Task<IReadOnlyList<(CachedResult Recorded, CachedResult Offered)>> RecordAsync(IReadOnlyList<(string Key, CachedResult Result)> results, CancellationToken cancellationToken = default)
    {
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = source.CreateCommand($"""
            INSERT INTO {schema.TaskCache} (key, result) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (key) DO NOTHING RETURNING key
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => r.Key).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = results.Select(r => JsonSerializer.Serialize(r.Result, EventSerializer.Options)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) inserted.Add(reader.GetString(0));
        }
        var already = results.Where(r => !inserted.Contains(r.Key)).ToList();
        if (already.Count == 0) return [];
        var recorded = new Dictionary<string, CachedResult>(StringComparer.Ordinal);
        await using (var command = source.CreateCommand($"SELECT key, result::text FROM {schema.TaskCache} WHERE key = ANY($1)"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = already.Select(r => r.Key).Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                if (JsonSerializer.Deserialize<CachedResult>(reader.GetString(1), EventSerializer.Options) is { } result) recorded[reader.GetString(0)] = result;
        }
        return already.Where(r => recorded.TryGetValue(r.Key, out var first) && !first.SameOutputsAs(r.Result) && first.Task != r.Result.Task)
            .Select(r => (recorded[r.Key], r.Result)).ToList();
    }

    public async Task<int> DropReferencingAsync(IReadOnlySet<Uri> blobs, CancellationToken cancellationToken = default)
    {
        if (blobs.Count == 0) return 0;
        await using var command = source.CreateCommand($"""
            DELETE FROM {schema.TaskCache} WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(result->'Outputs') o WHERE o->>'Uri' = ANY($1))
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = blobs.Select(b => b.OriginalString).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
