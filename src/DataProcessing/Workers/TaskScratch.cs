using Orchestration.DataProcessing.Sql;

namespace Orchestration.DataProcessing.Workers;

/// <summary>
/// A task's scratch directory inside its sandbox, made on first use and removed afterwards. Lazily, because
/// directory operations are not free (about 0.2 ms a task here) and a task without files needs none.
/// </summary>
internal sealed class TaskScratch(SqlSandbox sandbox, string key) : IDisposable
{
    private string? _directory;

    public SqlSandbox Sandbox => sandbox;

    public string Directory => _directory ??= sandbox.TaskDirectory(key);

    public string File(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        if (_directory is not null) sandbox.CleanTask(key);
    }
}
