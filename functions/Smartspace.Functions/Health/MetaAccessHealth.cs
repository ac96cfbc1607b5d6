using Smartspace.Core.Messaging;

namespace Smartspace.Functions.Health;

/// <summary>
/// Whether this instance's access to the Graph API works, as the last Graph answers showed: an expired or invalid
/// access token (0, 190), missing permissions (10, 200) or a 401/403 is a configuration problem an operator must fix —
/// shown by <c>GET /api/health</c> — until a later call succeeds (e.g. after the token was rotated).
/// </summary>
public sealed class MetaAccessHealth
{
    private Snapshot current = new("unknown", null, null, null);

    public Snapshot Current => Volatile.Read(ref current);

    /// <summary>Records a Graph error; only a configuration problem changes the state.</summary>
    public void Refused(int? code, int? httpStatus, DateTimeOffset at)
    {
        if (OutboundNotices.IsConfigurationProblem(code, httpStatus))
        {
            Volatile.Write(ref current, new Snapshot("invalid", code, httpStatus, at));
        }
    }

    public void Succeeded(DateTimeOffset at)
    {
        if (Current.Access != "ok")
        {
            Volatile.Write(ref current, new Snapshot("ok", null, null, at));
        }
    }

    /// <param name="Access"><c>unknown</c> (no Graph call yet), <c>ok</c> or <c>invalid</c>.</param>
    /// <param name="Since">When the state was last reached.</param>
    public sealed record Snapshot(string Access, int? Code, int? HttpStatus, DateTimeOffset? Since)
    {
        public bool IsProblem => Access == "invalid";
    }
}
