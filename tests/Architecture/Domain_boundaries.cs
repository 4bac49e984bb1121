using System.Reflection;
using FluentAssertions;
using Orchestration.Processes;
using Xunit;

namespace Orchestration.Tests.Architecture;

/// <summary>The domain stays pure: the aggregate and the graph API never see an adapter's package.</summary>
public sealed class Domain_boundaries
{
    private static readonly string[] Infrastructure = ["Npgsql", "MassTransit", "DuckDB", "Azure", "RabbitMQ"];

    [Theory]
    [InlineData(typeof(ProcessDecider))]
    [InlineData(typeof(Orchestration.Contracts.BlobRef))]
    [InlineData(typeof(Orchestration.Testing.GraphSpec))]
    public void The_domain_the_contracts_and_the_testing_package_reference_no_infrastructure_package(Type marker)
    {
        var references = marker.Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.Where(name => Infrastructure.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            .Should().BeEmpty($"{marker.Assembly.GetName().Name} is domain code; adapters live in their own projects");
    }

    [Fact]
    public void The_aggregate_reads_no_clock_and_makes_no_random_ids()
    {
        var calls = typeof(ProcessDecider).Assembly.GetTypes()
            .Where(t => t.Namespace is "Orchestration.Processes" or "Orchestration.Graphs" or "Orchestration.Schedules")
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => m.GetMethodBody() is not null)
            .SelectMany(m => CalledMembers(m).Select(called => $"{m.DeclaringType!.Name}.{m.Name} -> {called}"))
            .Where(call => call.Contains("DateTime.get_Now") || call.Contains("DateTimeOffset.get_UtcNow") || call.Contains("DateTimeOffset.get_Now")
                           || call.Contains("DateTime.get_UtcNow") || call.Contains("Guid.NewGuid") || call.Contains("Random.") || call.Contains("TimeProvider.GetUtcNow"))
            .ToList();

        calls.Should().BeEmpty("time comes in as an argument and ids derive from the process, step and partition");
    }

    [Fact]
    public void The_clock_check_sees_a_clock_read_when_there_is_one()
    {
        var method = typeof(Domain_boundaries).GetMethod(nameof(ReadsTheClock), BindingFlags.NonPublic | BindingFlags.Static)!;

        CalledMembers(method).Should().Contain("DateTimeOffset.get_UtcNow");
    }

    private static DateTimeOffset ReadsTheClock() => DateTimeOffset.UtcNow;

    /// <summary>Names of methods a method body calls, read from its IL (call / callvirt / newobj tokens).</summary>
    private static IEnumerable<string> CalledMembers(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray() ?? [];
        for (var i = 0; i < il.Length - 4; i++)
        {
            if (il[i] is not (0x28 or 0x6F or 0x73)) continue; // call, callvirt, newobj
            MethodBase? called = null;
            try { called = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1)); }
            catch (ArgumentException) { }
            if (called is not null) yield return $"{called.DeclaringType?.Name}.{called.Name}";
        }
    }
}
