using System.Globalization;
using Acme.Pipelines.Graphs;
using Orchestration.DataProcessing.Sql;
using Orchestration.DataProcessing.Workers;

namespace Acme.Pipelines.Steps;

/// <summary>
/// Gives every customer of a partial a tier from what they spent, in C#. It reads its input through the worker's
/// sandboxed DuckDB (as CSV) and writes one CSV output; bump <see cref="Version"/> whenever the tiers change, so a
/// process started on the old rules never runs on the new ones.
/// </summary>
public sealed class ScoreCustomers : ICodeStep
{
    public string Name => CustomerTiers.ScoreStep;
    public int Version => CustomerTiers.ScoreVersion;

    public static string TierOf(decimal spent) => spent switch
    {
        >= 1_000m => "gold",
        >= 250m => "silver",
        _ => "bronze",
    };

    public async Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken)
    {
        var partial = context.OutputFile("partial.csv");
        context.Sql.Run(new SqlRequest("SELECT customer_id, spent FROM input", context.Inputs, partial, OutputFormat.Csv, context.Task.Parameters), cancellationToken);

        var output = context.OutputFile("scores.csv");
        long rows = 0;
        await using (var writer = new StreamWriter(output))
        {
            await writer.WriteLineAsync("customer_id,spent,tier");
            foreach (var line in (await File.ReadAllLinesAsync(partial, cancellationToken)).Skip(1))
            {
                var fields = line.Split(',');
                var spent = decimal.Parse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture);
                await writer.WriteLineAsync($"{fields[0]},{fields[1]},{TierOf(spent)}");
                rows++;
            }
        }
        return new CodeStepResult([new CodeStepOutput(output, rows)], new Dictionary<string, string> { ["customers"] = rows.ToString(CultureInfo.InvariantCulture) });
    }
}
