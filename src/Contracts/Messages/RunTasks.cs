namespace Orchestration.Contracts.Messages;

/// <summary>
/// Command to a worker: run these attempts, one after another, and report them together (<see cref="TaskResults"/>).
/// Only tasks of one step of one process travel together, and only while that step's tasks are known to be short
/// (the dispatcher decides; see <c>Dispatcher</c>'s packing), so one message and one acknowledgement serve many tasks and
/// no worker sits on long work that others could take. Each is handled as its own <see cref="RunTask"/> would be.
/// </summary>
[WireName("run-tasks.v1")]
public sealed record RunTasks(IReadOnlyList<RunTask> Tasks)
{
    public override string ToString() => $"Run {Tasks.Count} tasks: {string.Join(", ", Tasks.Select(t => t.TaskId))}";
}
