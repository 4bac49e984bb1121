using MassTransit;
using Orchestration.Contracts;
using Orchestration.Contracts.Messages;

namespace Orchestration.Adapters.Messaging;

/// <summary>
/// Broker entities (exchanges) are named by the contracts' stable wire names, not their CLR names, so renaming
/// or moving a contract type does not orphan the bindings of running workers.
/// </summary>
public static class MessageNames
{
    private static readonly WireNames Names = new(typeof(RunTask).Assembly);

    public static void Apply(IBusFactoryConfigurator bus)
    {
        bus.Message<RunTask>(m => m.SetEntityName(Names.NameOf(typeof(RunTask))));
        bus.Message<RunTasks>(m => m.SetEntityName(Names.NameOf(typeof(RunTasks))));
        bus.Message<TaskCompleted>(m => m.SetEntityName(Names.NameOf(typeof(TaskCompleted))));
        bus.Message<TaskFailed>(m => m.SetEntityName(Names.NameOf(typeof(TaskFailed))));
        bus.Message<TaskResults>(m => m.SetEntityName(Names.NameOf(typeof(TaskResults))));
        bus.Message<TaskStarted>(m => m.SetEntityName(Names.NameOf(typeof(TaskStarted))));
        bus.Message<TaskHeartbeat>(m => m.SetEntityName(Names.NameOf(typeof(TaskHeartbeat))));
        bus.Message<WorkerStatus>(m => m.SetEntityName(Names.NameOf(typeof(WorkerStatus))));
        bus.Message<ProcessCommandSent>(m => m.SetEntityName(Names.NameOf(typeof(ProcessCommandSent))));
        bus.Message<ProcessCommandAnswered>(m => m.SetEntityName(Names.NameOf(typeof(ProcessCommandAnswered))));
    }
}
