using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Acme.Pipelines;

/// <summary><c>generate</c>: sample sales partitions (CSV) to run the graph over; the same seed gives the same files.</summary>
public static class SampleSales
{
    public static Command Command()
    {
        var dir = new Option<string>("--dir") { Description = "Where to write the partitions", DefaultValueFactory = _ => "data" };
        var partitions = new Option<int>("--partitions") { Description = "How many CSV files", DefaultValueFactory = _ => 8 };
        var rows = new Option<int>("--rows") { Description = "Sales per file", DefaultValueFactory = _ => 5_000 };
        var command = new Command("generate", "Write sample sales partitions (customer_id, amount) as CSV files") { dir, partitions, rows };
        command.SetAction(parse =>
        {
            var written = Write(Path.GetFullPath(parse.GetValue(dir)!), parse.GetValue(partitions), parse.GetValue(rows));
            Console.WriteLine($"{written.Count} partition(s) written to {parse.GetValue(dir)}");
            return 0;
        });
        return command;
    }

    public static IReadOnlyList<string> Write(string dir, int partitions, int rows, int seed = 7)
    {
        Directory.CreateDirectory(dir);
        var random = new Random(seed);
        var files = new List<string>();
        for (var p = 0; p < partitions; p++)
        {
            var text = new StringBuilder("customer_id,amount\n");
            for (var r = 0; r < rows; r++)
                text.Append(CultureInfo.InvariantCulture, $"c{random.Next(10_000):D5},{random.Next(1, 50_000) / 100m}\n");
            var file = Path.Combine(dir, $"sales-{p:D2}.csv");
            File.WriteAllText(file, text.ToString());
            files.Add(file);
        }
        return files;
    }
}
