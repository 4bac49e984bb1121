using System.Globalization;
using Orchestration.Ports;

namespace Orchestration.Adapters.Embedded;

/// <summary>Checkpoints as small files, replaced atomically (write a temporary file, then rename over).</summary>
public sealed class FileCheckpointStore(string directory) : ICheckpointStore
{
    public async Task<long> LoadAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        return File.Exists(path) ? long.Parse(await File.ReadAllTextAsync(path, cancellationToken), CultureInfo.InvariantCulture) : 0;
    }

    public async Task SaveAsync(string name, long position, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var path = PathOf(name);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, position.ToString(CultureInfo.InvariantCulture), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private string PathOf(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? Path.Combine(directory, name + ".checkpoint")
            : throw new ArgumentException($"Checkpoint name '{name}' may hold only letters, digits, '-' and '_'.", nameof(name));
}
