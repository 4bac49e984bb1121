using FluentAssertions;
using Orchestration.Adapters.Configuration;
using Orchestration.Adapters.Postgres;
using Orchestration.Ports;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

/// <summary>
/// A schema belongs to the deployment (queue prefix) that first opened it: the processes of one deployment starting
/// together on a new schema all get in, and a process of another deployment is refused.
/// </summary>
public sealed class Deployment_claim
{
    private static DistributedSettings Deployment(TestSchema schema, string prefix) => new() { Postgres = Services.Postgres, Schema = schema.Name, QueuePrefix = prefix };

    [Fact]
    public async Task Processes_of_one_deployment_opening_a_new_schema_at_once_all_get_in_and_another_deployments_is_refused()
    {
        // The race is between claims on a new schema, so a few new schemas, each opened by 8 processes at once.
        for (var round = 0; round < 3; round++)
        {
            await using var fresh = new TestSchema();
            var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => PostgresStores.OpenAsync(Deployment(fresh, "ours-")))));
            foreach (var store in stores) await store.DisposeAsync();
        }
        await using var schema = new TestSchema();
        await (await PostgresStores.OpenAsync(Deployment(schema, "ours-"))).DisposeAsync();

        var other = () => PostgresStores.OpenAsync(Deployment(schema, "theirs-"));

        (await other.Should().ThrowAsync<IncompatibleStoreException>()).Which.Message.Should()
            .Contain("holds the event log of another deployment: the one whose queues are prefixed 'ours-'").And.Contain("this process is set to 'theirs-'");
    }
}
