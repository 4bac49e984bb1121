using FluentAssertions;
using Orchestration.Adapters.Postgres;
using Orchestration.Ports;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

public sealed class PostgresCheckpointStore_contract : IAsyncLifetime
{
    private readonly TestSchema _schema = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _schema.DisposeAsync().AsTask();

    private Task<PostgresCheckpointStore> OpenAsync() => PostgresCheckpointStore.OpenAsync(_schema.Source, _schema.Name);

    [Fact]
    public async Task A_checkpoint_never_saved_loads_as_the_start()
    {
        var checkpoints = await OpenAsync();

        (await checkpoints.LoadAsync("dispatcher")).Should().BeSameAs(Checkpoint.Start);
    }

    [Fact]
    public async Task A_saved_checkpoint_loads_back_in_a_new_process()
    {
        await (await OpenAsync()).SaveAsync("dispatcher", new Checkpoint(42, [1, 2, 3]));

        var loaded = await (await OpenAsync()).LoadAsync("dispatcher");
        loaded.Position.Should().Be(42);
        loaded.State.Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task Saving_again_replaces_the_position_and_leaves_other_followers_alone()
    {
        var checkpoints = await OpenAsync();
        await checkpoints.SaveAsync("dispatcher", new Checkpoint(42, [1]));
        await checkpoints.SaveAsync("timeouts", new Checkpoint(7, [7]));

        await checkpoints.SaveAsync("dispatcher", new Checkpoint(43, [2]));

        (await checkpoints.LoadAsync("dispatcher")).Position.Should().Be(43);
        (await checkpoints.LoadAsync("timeouts")).Should().BeEquivalentTo(new Checkpoint(7, [7]));
        (await _schema.ScalarAsync<long>("SELECT position FROM {schema}.orchestration_checkpoints WHERE name = 'dispatcher'")).Should().Be(43);
    }
}
