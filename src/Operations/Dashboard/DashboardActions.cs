using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orchestration.Contracts;
using Orchestration.Processes;

namespace Orchestration.Operations.Dashboard;

/// <summary>What an action's body may say: why (recorded in the process's history with who sent it).</summary>
public sealed record ActionRequest(string? Reason);

/// <summary>
/// The dashboard's actions: <c>POST /api/processes/{id}/cancel|retry|pause|resume</c>, sent as the same commands as the
/// CLI's to the orchestrator's runtime. Off unless an operator token is configured (<c>Orchestration__Dashboard__Token</c>);
/// with one, each request must carry it (<c>Authorization: Bearer …</c>). Without the token the dashboard is read-only
/// and says so (<c>GET /api/actions</c>).
/// </summary>
public static class DashboardActions
{
    public static IEndpointRouteBuilder MapDashboardActions(this IEndpointRouteBuilder api, string? token, Func<IProcessCommand, Task>? send)
    {
        var enabled = !string.IsNullOrEmpty(token) && send is not null;
        api.MapGet("/actions", () => Results.Ok(new
        {
            Enabled = enabled,
            Why = enabled ? "actions need the operator token" : "read-only: no operator token is configured (set Orchestration__Dashboard__Token on the orchestrator to allow cancel, retry, pause and resume)",
        }));
        foreach (var (name, make) in new (string, Func<ProcessId, string, IProcessCommand>)[]
                 {
                     ("cancel", (id, why) => new CancelProcess(id, why)),
                     ("retry", (id, why) => new RetryProcess(id, why)),
                     ("pause", (id, why) => new PauseProcess(id, why)),
                     ("resume", (id, why) => new ResumeProcess(id, why)),
                 })
            api.MapPost($"/processes/{{id}}/{name}", async (string id, HttpRequest request) =>
            {
                if (!enabled)
                    return Results.Json(new ErrorView("The dashboard is read-only: no operator token is configured. Set Orchestration__Dashboard__Token on the orchestrator, or use the CLI."),
                        statusCode: StatusCodes.Status403Forbidden);
                if (!Carries(request, token!))
                    return Results.Json(new ErrorView("This action needs the operator token: send it as 'Authorization: Bearer <token>'."), statusCode: StatusCodes.Status401Unauthorized);
                var body = request.HasJsonContentType() ? await request.ReadFromJsonAsync<ActionRequest>() : null;
                var why = $"{(string.IsNullOrWhiteSpace(body?.Reason) ? $"{name} from the dashboard" : body.Reason)} (from the dashboard, {request.HttpContext.Connection.RemoteIpAddress})";
                try
                {
                    await send!(make(ProcessId.From(id), why));
                }
                catch (DomainError refused)
                {
                    return Results.Json(new ErrorView(refused.Message), statusCode: refused.Name == "unknown-process" ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict);
                }
                return Results.Ok(new { Process = id, Action = name, Reason = why });
            });
        return api;
    }

    /// <summary>Compared in constant time, so the token cannot be guessed a character at a time.</summary>
    private static bool Carries(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.Ordinal)) return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim())), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }
}
