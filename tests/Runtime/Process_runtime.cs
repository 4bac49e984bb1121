using FluentAssertions;
using Orchestration.Adapters.Embedded;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;
using Orchestration.Graphs;
using Orchestration.Processes;
using Orchestration.Runtime;
using Orchestration.Tests.EndToEnd;
using Xunit;

namespace Orchestration.Tests.Runtime;

/// <summary>The runtime that executes commands: one at a time per process, group commits, and optimistic concurrency.</summary>
public sealed class Process_runtime : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FileEventStore _store;

    public Process_runtime() => _store = new FileEventStore(_dir["events"], flushToDisk: false);

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private static StartProcess Start(ProcessId id, int tasks) => new(id,
        ProcessGraph.Define("runtime-test", 1).Map("map", DataSource.Dataset("in"), StepWork.Code("noop")).Build(),
        new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = Enumerable.Range(0, tasks).Select(i => new BlobRef(new Uri($"blob://local/in/{i}"), "00", 1, 1)).ToArray() },
        new Dictionary<string, string>());

    private static ConfirmTask Confirm(ProcessId id, int partition) =>
        new(id, TaskId.For(id, "map", partition), 1, WorkerId.From("w"), [], new Dictionary<string, string>(), TaskMetrics.None);

    [Fact]
    public async Task Commands_that_queue_up_while_one_is_written_share_an_append()
    {
        await using var runtime = new ProcessRuntime(_store, TimeProvider.System);
        var id = ProcessId.From("grouped");
        await runtime.SendAsync(Start(id, 300));

        var decisions = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => runtime.SendAsync(Confirm(id, i))));

        decisions.Should().OnlyContain(d => d.Dropped == null);
        runtime.Counters.Commands.Should().Be(301);
        runtime.Counters.Appends.Should().BeLessThan(301, "commands that arrive together are written together");
        var state = await _store.LoadAsync(id);
        state.Status.Should().Be(ProcessStatus.Completed);
        state.Step("map").Confirmed.Should().Be(300);
    }

    [Fact]
    public async Task Two_runtimes_on_one_store_never_confirm_a_task_twice()
    {
        await using var first = new ProcessRuntime(_store, TimeProvider.System);
        await using var second = new ProcessRuntime(_store, TimeProvider.System);
        var id = ProcessId.From("contended");
        await first.SendAsync(Start(id, 2));

        var byTheSecond = await second.SendAsync(Confirm(id, 0));
        var byTheFirst = await first.SendAsync(Confirm(id, 0)); // its copy of the process is now stale

        byTheSecond.Events.Should().ContainSingle().Which.Should().BeOfType<TaskConfirmed>();
        byTheFirst.Dropped!.Kind.Should().Be(DropKind.DuplicateConfirmation);
        first.Counters.Conflicts.Should().Be(1);
        var history = await _store.ReadStreamAsync(ProcessStreams.StreamOf(id)).ToListAsync();
        history.Select(e => e.Event).OfType<TaskConfirmed>().Should().ContainSingle();
        history.Select(e => e.Version).Should().Equal(Enumerable.Range(1, history.Count).Select(v => (long)v));
    }

    [Fact]
    public async Task A_refused_command_faults_with_the_named_domain_error_and_the_runtime_goes_on()
    {
        await using var runtime = new ProcessRuntime(_store, TimeProvider.System);
        var id = ProcessId.From("refusing");
        await runtime.SendAsync(Start(id, 1));

        var unknown = () => runtime.SendAsync(new ConfirmTask(id, TaskId.From("refusing/map/7"), 1, WorkerId.From("w"), [], new Dictionary<string, string>(), TaskMetrics.None));

        (await unknown.Should().ThrowAsync<DomainError>()).Which.Name.Should().Be("unknown-task");
        (await runtime.SendAsync(Confirm(id, 0))).Events.OfType<ProcessCompleted>().Should().ContainSingle();
        runtime.Counters.Rejected.Should().Be(1);
    }

    [Fact]
    public async Task A_runtime_behind_the_store_decides_a_command_it_would_refuse_again_on_the_latest_events()
    {
        await using var first = new ProcessRuntime(_store, TimeProvider.System);
        await using var second = new ProcessRuntime(_store, TimeProvider.System);
        var id = ProcessId.From("two-steps");
        var graph = ProcessGraph.Define("runtime-test", 1)
            .Map("map", DataSource.Dataset("in"), StepWork.Code("noop"))
            .Reduce("merge", DataSource.Step("map"), StepWork.Code("noop"))
            .Build();
        await first.SendAsync(new StartProcess(id, graph, new Dictionary<string, IReadOnlyList<BlobRef>> { ["in"] = [new BlobRef(new Uri("blob://local/in/0"), "00", 1, 1)] }, new Dictionary<string, string>()));
        (await second.SendAsync(new TryTimeoutTask(id, TaskId.For(id, "map", 0), 1))).Dropped.Should().NotBeNull("the second runtime now holds the process in memory");
        await first.SendAsync(Confirm(id, 0)); // schedules the merge, which the second runtime has not seen

        var merged = await second.SendAsync(new ConfirmTask(id, TaskId.For(id, "merge", 0), 1, WorkerId.From("w"), [], new Dictionary<string, string>(), TaskMetrics.None));

        merged.Events.OfType<ProcessCompleted>().Should().ContainSingle("the stale copy caught up instead of refusing an unknown task");
        second.Counters.CaughtUp.Should().Be(1);
        second.Counters.Rejected.Should().Be(0);
    }

    [Fact]
    public async Task A_long_running_runtime_lets_ended_processes_go_and_reloads_one_when_a_late_command_comes()
    {
        await using var runtime = new ProcessRuntime(_store, TimeProvider.System, new ProcessRuntimeOptions(Partitions: 1, MaxEndedInMemory: 5));
        var running = ProcessId.From("still-running");
        await runtime.SendAsync(Start(running, 2));
        for (var i = 0; i < 30; i++)
        {
            var id = ProcessId.From($"ended-{i}");
            await runtime.SendAsync(Start(id, 1));
            await runtime.SendAsync(Confirm(id, 0));
        }
        await Eventually.True(() => runtime.InMemory <= 6, TimeSpan.FromSeconds(5), "at most 5 ended processes and the running one in memory");

        var late = await runtime.SendAsync(Confirm(ProcessId.From("ended-0"), 0));
        var next = await runtime.SendAsync(Confirm(running, 0));

        late.Dropped!.Kind.Should().Be(DropKind.ProcessEnded, "a process let go is read again from the store");
        next.Events.Should().ContainSingle().Which.Should().BeOfType<TaskConfirmed>("the running process was kept");
        runtime.Counters.Rejected.Should().Be(0);
    }
}
