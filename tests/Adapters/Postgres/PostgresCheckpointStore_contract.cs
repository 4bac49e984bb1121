using FluentAssertions;
using Orchestration.Adapters.Postgres;
using Xunit;

namespace Orchestration.Tests.Adapters.Postgres;

public sealed class PostgresCheckpointStore_contract : IAsyncLifetime
{
    private readonly TestSchema _schema = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _schema.DisposeAsync().AsTask();

    private Task<PostgresCheckpointStore> OpenAsync() => PostgresCheckpointStore.OpenAsync(_schema.Source, _schema.Name);

    [Fact]
    public async Task A_checkpoint_never_saved_loads_as_zero()
    {
        var checkpoints = await OpenAsync();

        (await checkpoints.LoadAsync("dispatcher")).Should().Be(0);
    }

    [Fact]
    public async Task A_saved_checkpoint_loads_back_in_a_new_process()
    {
        await (await OpenAsync()).SaveAsync("dispatcher", 42);

        (await (await OpenAsync()).LoadAsync("dispatcher")).Should().Be(42);
    }

    [Fact]
    public async Task Saving_again_replaces_the_position_and_leaves_other_followers_alone()
    {
        var checkpoints = await OpenAsync();
        await checkpoints.SaveAsync("dispatcher", 42);
        await checkpoints.SaveAsync("timeouts", 7);

        await checkpoints.SaveAsync("dispatcher", 43);

        (await checkpoints.LoadAsync("dispatcher")).Should().Be(43);
        (await checkpoints.LoadAsync("timeouts")).Should().Be(7);
        (await _schema.ScalarAsync<long>("SELECT last_seq_id FROM {schema}.mt_event_progression WHERE name = 'dispatcher'")).Should().Be(43);
    }
}
