using Orchestration.DataProcessing.Sql;
using Orchestration.DataProcessing.Workers;

namespace Orchestration.Tests.Runtime;

/// <summary>A C# step whose behaviour the graph chooses: fail or hang on the first attempt, always fail, take its time, or take it on a few partitions only.</summary>
internal sealed class FlakyStep : ICodeStep
{
    public const string Name = "flaky";
    string ICodeStep.Name => Name;

    public async Task<CodeStepResult> RunAsync(CodeStepContext context, CancellationToken cancellationToken)
    {
        var mode = context.Task.Parameters["mode"];
        if (mode == "always-fail") throw new StepFailure("this step always fails", retryable: true);
        if (context.Task.Attempt == 1 && mode == "fail-first") throw new StepFailure("first attempts fail", retryable: true);
        if (context.Task.Attempt == 1 && mode == "hang-first") await Task.Delay(Timeout.Infinite, cancellationToken);
        if (mode == "two-seconds") await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        if (mode == "slow") await Task.Delay(TimeSpan.FromSeconds(7), cancellationToken); // the step's own work, longer than its timeout
        if (mode == "skewed" && context.Task.Parameters["slow"].Split(',').Contains(context.Task.Partition.ToString()))
            await Task.Delay(TimeSpan.FromSeconds(4), cancellationToken); // a skewed partition among instant ones
        return new CodeStepResult([], new Dictionary<string, string>());
    }
}
