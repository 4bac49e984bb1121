using Orchestration.Runtime;

namespace Orchestration.Ports;

/// <summary>
/// The list of processes users read (<c>orch status</c>, the dashboard), projected from the events as they are
/// stored: a page costs the page, never a replay of every stream.
/// </summary>
public interface IProcessList
{
    /// <summary>Page <paramref name="page"/> (from 1) of <paramref name="pageSize"/> processes, the most recently started first; only those <paramref name="filter"/> matches, when given.</summary>
    Task<ProcessPage> PageAsync(int page, int pageSize, CancellationToken cancellationToken = default, ProcessFilter? filter = null);
}

/// <summary>
/// Which processes a page lists: of one graph, in one status, started in a time range, with an id containing some text
/// (any of these; null: any).
/// </summary>
/// <param name="StartedFrom">Started at or after this time.</param>
/// <param name="StartedBefore">Started before this time.</param>
/// <param name="IdContains">Part of the process's id (case-sensitive, as ids are).</param>
public sealed record ProcessFilter(string? Graph = null, Processes.ProcessStatus? Status = null, DateTimeOffset? StartedFrom = null, DateTimeOffset? StartedBefore = null,
    string? IdContains = null)
{
    public bool Matches(ProcessProgress p) => (Graph is null || p.Graph == Graph) && (Status is null || p.Status == Status)
        && (StartedFrom is null || p.StartedAt >= StartedFrom) && (StartedBefore is null || p.StartedAt < StartedBefore)
        && (IdContains is null || p.Id.Contains(IdContains, StringComparison.Ordinal));
}

/// <summary>A page of processes, and how many there are in all.</summary>
public sealed record ProcessPage(IReadOnlyList<ProcessProgress> Processes, long Total, int Page, int PageSize)
{
    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxPageSize = 1_000;

    public long Pages => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;

    /// <summary>Throws naming the bad value, for a page number below 1 or a size outside 1..<see cref="MaxPageSize"/>.</summary>
    public static void Check(int page, int pageSize)
    {
        if (page < 1) throw new ArgumentOutOfRangeException(nameof(page), page, $"The page must be 1 or more (got {page}).");
        if (pageSize is < 1 or > MaxPageSize)
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"The page size must be between 1 and {MaxPageSize} (got {pageSize}).");
    }
}
