using DuckDB.NET.Data;

namespace Orchestration.DataProcessing.Sql;

/// <summary>
/// Opens the one in-memory DuckDB instance of a sandbox and locks it down before any step SQL can reach it.
/// These settings belong to the database instance, not to a connection, which is why a sandbox keeps one
/// instance for its life and hands each run a fresh connection to it.
/// </summary>
internal static class SandboxedInstance
{
    public static DuckDBConnection Open(ScratchPaths paths, SandboxOptions options)
    {
        if (options.Threads < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "A sandbox needs at least one thread.");
        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            connection.Open();
            foreach (var setting in LockdownSettings(paths, options)) Execute(connection, setting);
            EnsureLocked(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The order is forced by DuckDB 1.5: once enable_external_access is off, temp_directory can no longer be set
    /// ("Permission Error: Modifying the temp_directory has been disabled by configuration"), so spilling is
    /// pointed inside the root first; allowed_directories must also come before, as the only paths still open
    /// afterwards. lock_configuration comes last, since after it no SET can change any option, ours included.
    /// </summary>
    private static IEnumerable<string> LockdownSettings(ScratchPaths paths, SandboxOptions options) =>
    [
        $"SET temp_directory = {SqlText.Literal(paths.SpillDirectory)}",
        $"SET allowed_directories = [{SqlText.Literal(RealPath.WithTrailingSeparator(paths.Root))}]",
        "SET enable_external_access = false",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET allow_community_extensions = false",
        $"SET threads = {options.Threads}",
        $"SET memory_limit = {SqlText.Literal(options.MemoryLimit)}",
        "SET preserve_insertion_order = true",
        "SET lock_configuration = true",
    ];

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            command.ExecuteNonQuery();
        }
        catch (DuckDBException e)
        {
            throw new InvalidOperationException($"The DuckDB sandbox could not be configured with '{sql}': {e.Message}", e);
        }
    }

    /// <summary>A DuckDB upgrade that renamed or ignored an option must stop the worker, not open the sandbox.</summary>
    private static void EnsureLocked(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT current_setting('enable_external_access')::BOOLEAN, current_setting('lock_configuration')::BOOLEAN";
        using var reader = command.ExecuteReader();
        reader.Read();
        if (reader.GetBoolean(0) || !reader.GetBoolean(1))
            throw new InvalidOperationException("The DuckDB sandbox is not locked: external access is still on or the configuration is unlocked.");
    }
}
