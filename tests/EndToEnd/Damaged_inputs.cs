using Azure.Storage.Blobs;
using FluentAssertions;
using Xunit;

namespace Orchestration.Tests.EndToEnd;

/// <summary>
/// Input blobs damaged in the blob store after a process started (one deleted, one overwritten with other bytes):
/// the tasks that read them fail for good with a message naming the blob and what is wrong, the process fails,
/// and its history records why.
/// </summary>
[Collection(RealProcesses.Name)]
public sealed class Damaged_inputs : DistributedStack
{
    [Fact]
    public async Task A_deleted_or_overwritten_input_blob_fails_its_process_with_the_reason_in_the_history()
    {
        StartHost("orchestrator"); // no worker yet: the blobs are damaged before any task reads them
        var missing = Query("missing");
        var overwritten = Query("overwritten");
        await Eventually.True(async () => await CountEvents("process-started.v1") == 2 || missing.IsCompleted || overwritten.IsCompleted, TimeSpan.FromMinutes(1), "both processes started");
        foreach (var early in new[] { missing, overwritten }.Where(q => q.IsCompleted))
            throw new InvalidOperationException($"A query ended before any worker ran: {await early}");

        var container = new BlobContainerClient(Services.Blobs, Name);
        await container.GetBlobClient(await InputBlob(container, "missing")).DeleteAsync();
        await container.GetBlobClient(await InputBlob(container, "overwritten")).UploadAsync(BinaryData.FromString("part,n\n0,999\n"), overwrite: true);
        StartHost("worker", "--name", "w1", "--slots", "1");

        var deleted = await missing;
        deleted.ExitCode.Should().Be(1, deleted.ToString());
        deleted.Error.Should().Contain("is missing from Azure container").And.Contain("missing.csv").And.Contain("cannot be retried");
        (await HistoryOf(deleted)).Should().Contain("is missing from Azure container").And.Contain("failed: step 'map' failed");

        var changed = await overwritten;
        changed.ExitCode.Should().Be(1, changed.ToString());
        changed.Error.Should().Contain("is corrupt: its SHA-256 is").And.Contain("overwritten.csv").And.Contain("cannot be retried");
        (await HistoryOf(changed)).Should().Contain("is corrupt: its SHA-256 is").And.Contain("failed: step 'map' failed");
    }

    private Task<OrchCli.Result> Query(string name)
    {
        Directory.CreateDirectory(Dir[name]);
        DuckDb.Execute($"COPY (SELECT 0 AS part, i AS n FROM range({name.Length}) t(i)) TO '{Dir[$"{name}/{name}.csv"]}' (HEADER)");
        return Orch.RunAsync("query", "--input", $"{name}/*.csv", "--sql", PartSql, "--merge", MergeSql, "--out", Dir[$"{name}.out.csv"]);
    }

    private static async Task<string> InputBlob(BlobContainerClient container, string file)
    {
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "inputs/", CancellationToken.None))
            if (blob.Name.EndsWith($"/{file}.csv", StringComparison.Ordinal)) return blob.Name;
        throw new InvalidOperationException($"No input blob for {file}.csv in {container.Name}");
    }
}
