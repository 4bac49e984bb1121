using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;

namespace Orchestration.Bench;

/// <summary>
/// A star-schema query over 100 M rows (100 Parquet fact partitions x 1 M rows, joined with a store and a product table)
/// as a user runs it: <c>./orch query</c> in a new process, timed wall to wall (the command's start, the inputs given to
/// the engine, the process, the result written), next to one direct DuckDB query over the same files in the same run.
/// </summary>
internal static class QueryBench
{
    private const string PerFile = """
        SELECT s.country, p.brand, sum(f.quantity * f.price_cents)::BIGINT AS revenue_cents, count(*)::BIGINT AS sales
        FROM input f JOIN stores s USING (store_id) JOIN products p USING (product_id)
        GROUP BY ALL
        """;
    private const string Merge = """
        SELECT country, brand, sum(revenue_cents)::BIGINT AS revenue_cents, sum(sales)::BIGINT AS sales
        FROM partials GROUP BY ALL ORDER BY country, brand
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var numbers = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(int.Parse).ToArray();
        var partitions = numbers.Length > 0 ? numbers[0] : 100;
        var rows = numbers.Length > 1 ? numbers[1] : 1_000_000;
        var root = Directory.CreateTempSubdirectory("orch-query-bench-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var (facts, stores, products) = Write(root, partitions, rows);
            var bytes = Directory.EnumerateFiles(Path.GetDirectoryName(facts)!).Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"query: revenue by country and brand over {partitions} Parquet partitions x {rows:N0} rows ({bytes / 1e6:N0} MB) " +
                              $"joined with 2 side tables ({clock.Elapsed.TotalSeconds:0} s to write the input)");

            var orch = Orch();
            var start = Enumerable.Range(0, 3).Select(_ => Wall(orch, root, "--version").Elapsed).Min();
            var expected = new List<string>();
            var direct = Enumerable.Range(0, 3).Select(_ => Direct(facts, stores, products, expected)).Min();

            var runs = new List<(TimeSpan Wall, string Summary)>();
            for (var run = 0; run < 3; run++)
            {
                var data = Path.Combine(root, $"data-{run}");
                var result = Path.Combine(root, $"result-{run}.csv");
                var (wall, output) = Wall(orch, root, "query", "--input", facts, "--with", $"stores={stores}", "--with", $"products={products}",
                    "--sql", PerFile, "--merge", Merge, "--out", result, "--data", data);
                var got = File.ReadLines(result).Skip(1).ToList();
                if (!got.SequenceEqual(expected))
                    throw new InvalidOperationException($"the engine's result differs from DuckDB's ({got.Count} rows against {expected.Count}): {string.Join("; ", got.Take(3))} vs {string.Join("; ", expected.Take(3))}");
                var stored = Directory.Exists(Path.Combine(data, "blobs", "inputs"))
                    ? Directory.EnumerateFiles(Path.Combine(data, "blobs", "inputs"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
                runs.Add((wall, $"{output.Split('\n').LastOrDefault(l => l.Contains(" completed in ", StringComparison.Ordinal))?.Trim()}; inputs under the data directory: {Links(data)} linked, {stored / 1e6:N0} MB apparent"));
                Console.WriteLine($"  run {run + 1}: {wall.TotalMilliseconds:N0} ms wall ({runs[^1].Summary})");
            }
            var best = runs.MinBy(r => r.Wall);
            Console.WriteLine($"  one direct DuckDB query, in process (best of 3): {direct.TotalMilliseconds,8:N0} ms");
            Console.WriteLine($"  ./orch --version, a command's start (best of 3): {start.TotalMilliseconds,8:N0} ms");
            Console.WriteLine($"  ./orch query, wall to wall (best of 3):          {best.Wall.TotalMilliseconds,8:N0} ms  ({best.Wall / direct:0.00}x the direct query; goal 1.3x)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Stores in 12 countries, products of 40 brands; fact rows spread over both so every join finds its row.</summary>
    private static (string Facts, string Stores, string Products) Write(string root, int partitions, int rows)
    {
        var facts = Path.Combine(root, "facts");
        Directory.CreateDirectory(facts);
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        var stores = Path.Combine(root, "stores.parquet");
        var products = Path.Combine(root, "products.parquet");
        Execute(db, $"COPY (SELECT i AS store_id, 'C' || lpad((i % 12)::VARCHAR, 2, '0') AS country FROM range(200) t(i)) TO '{stores}' (FORMAT parquet)");
        Execute(db, $"COPY (SELECT i AS product_id, 'brand-' || lpad((i % 40)::VARCHAR, 2, '0') AS brand FROM range(10000) t(i)) TO '{products}' (FORMAT parquet)");
        for (var f = 0; f < partitions; f++)
            Execute(db, $"""
                COPY (SELECT {f}::BIGINT * {rows} + i AS sale_id, (i * 31 + {f}) % 200 AS store_id, (i * 7919 + {f} * 13) % 10000 AS product_id,
                             (1 + i % 5)::INTEGER AS quantity, (100 + (i * 37) % 9900)::INTEGER AS price_cents
                      FROM range({rows}) t(i)) TO '{Path.Combine(facts, $"part-{f:000}.parquet")}' (FORMAT parquet)
                """);
        return (Path.Combine(facts, "*.parquet"), stores, products);
    }

    private static TimeSpan Direct(string facts, string stores, string products, List<string> rows)
    {
        var clock = Stopwatch.StartNew();
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = $"""
            SELECT s.country, p.brand, sum(f.quantity * f.price_cents)::BIGINT AS revenue_cents, count(*)::BIGINT AS sales
            FROM read_parquet('{facts}') f JOIN '{stores}' s USING (store_id) JOIN '{products}' p USING (product_id)
            GROUP BY ALL ORDER BY country, brand
            """;
        using var reader = command.ExecuteReader();
        rows.Clear();
        while (reader.Read())
            rows.Add(string.Join(',', Enumerable.Range(0, reader.FieldCount).Select(c => Convert.ToString(reader.GetValue(c), CultureInfo.InvariantCulture))));
        return clock.Elapsed;
    }

    /// <summary>How many files under the data directory's input blobs share their bytes with another name (hard links): inputs given without a copy.</summary>
    private static int Links(string data)
    {
        var inputs = Path.Combine(data, "blobs", "inputs");
        if (!Directory.Exists(inputs)) return 0;
        var files = Directory.EnumerateFiles(inputs, "*", SearchOption.AllDirectories).ToArray();
        if (files.Length == 0) return 0;
        // .NET does not expose a file's link count; stat(1) prints it, for all the files in one call.
        var stat = new ProcessStartInfo("stat", ["-c", "%h", .. files]) { RedirectStandardOutput = true };
        using var process = Process.Start(stat)!;
        var counts = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        return counts.Count(c => long.Parse(c, CultureInfo.InvariantCulture) > 1);
    }

    private static (TimeSpan Elapsed, string Output) Wall(string orch, string directory, params string[] args)
    {
        var info = new ProcessStartInfo(orch) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["COLUMNS"] = "200";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var elapsed = clock.Elapsed;
        if (process.ExitCode != 0) throw new InvalidOperationException($"./orch {string.Join(' ', args.Take(1))} exited {process.ExitCode}:\n{output.Result}\n{error.Result}");
        return (elapsed, output.Result);
    }

    /// <summary>The repository's <c>./orch</c>, built once before the timed runs (its first call builds the command line).</summary>
    private static string Orch()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "orch"))) root = Path.GetDirectoryName(root);
        var orch = root is null ? throw new InvalidOperationException("Cannot find ./orch above " + AppContext.BaseDirectory) : Path.Combine(root, "orch");
        Wall(orch, root, "--version");
        return orch;
    }

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
