using System.Text;
using System.Text.RegularExpressions;

namespace Smartspace.Realtime.Hub;

/// <summary>
/// A connection's permissions from its <c>role</c> claim: <c>webpubsub.joinLeaveGroup</c> /
/// <c>webpubsub.sendToGroup</c> (any group), <c>….&lt;group&gt;</c> (one group), and the wildcard forms
/// <c>webpubsub.joinLeaveGroups.{pattern}</c> / <c>webpubsub.sendToGroups.{pattern}</c>
/// (<c>*</c> within one dot-segment, <c>**</c> across segments, <c>?</c> one character) — plus what the REST API
/// granted or revoked since the connection opened (dynamic permissions, <see cref="Grant"/> / <see cref="Revoke"/>),
/// which take precedence: a revoke of one group beats a role for it, a grant or revoke without a group resets all.
/// </summary>
internal sealed class RoleSet
{
    private readonly Permission _joinLeave;
    private readonly Permission _send;
    private readonly Overrides _joinLeaveOverrides = new();
    private readonly Overrides _sendOverrides = new();

    public RoleSet(IEnumerable<string> roles)
    {
        var list = roles.ToList();
        Roles = list;
        _joinLeave = new Permission("webpubsub.joinLeaveGroup", "webpubsub.joinLeaveGroups.", list);
        _send = new Permission("webpubsub.sendToGroup", "webpubsub.sendToGroups.", list);
    }

    public IReadOnlyList<string> Roles { get; }

    public bool CanJoinOrLeave(string group) => Check(HubPermission.JoinLeaveGroup, group);

    public bool CanSendTo(string group) => Check(HubPermission.SendToGroup, group);

    /// <summary>With a group: may the connection use it. Without: may it use every group.</summary>
    public bool Check(HubPermission permission, string? group)
    {
        var (roles, overrides) = For(permission);
        lock (overrides)
        {
            if (group is null)
            {
                return (overrides.All ?? roles.AllowsAny) && !overrides.Groups.ContainsValue(false);
            }

            return overrides.Groups.TryGetValue(group, out var set) ? set : overrides.All ?? roles.Allows(group);
        }
    }

    public void Grant(HubPermission permission, string? group) => Set(permission, group, true);

    public void Revoke(HubPermission permission, string? group) => Set(permission, group, false);

    private void Set(HubPermission permission, string? group, bool allowed)
    {
        var (_, overrides) = For(permission);
        lock (overrides)
        {
            if (group is null)
            {
                overrides.All = allowed;
                overrides.Groups.Clear();
            }
            else
            {
                overrides.Groups[group] = allowed;
            }
        }
    }

    private (Permission Roles, Overrides Overrides) For(HubPermission permission) =>
        permission == HubPermission.JoinLeaveGroup ? (_joinLeave, _joinLeaveOverrides) : (_send, _sendOverrides);

    private sealed class Overrides
    {
        public bool? All { get; set; }

        public Dictionary<string, bool> Groups { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Permission
    {
        private readonly bool _any;
        private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
        private readonly List<Regex> _patterns = [];

        public Permission(string single, string patternPrefix, IEnumerable<string> roles)
        {
            foreach (var role in roles)
            {
                if (role == single)
                {
                    _any = true;
                }
                else if (role.StartsWith(single + ".", StringComparison.Ordinal))
                {
                    _groups.Add(role[(single.Length + 1)..]);
                }
                else if (role.StartsWith(patternPrefix, StringComparison.Ordinal))
                {
                    _patterns.Add(Compile(role[patternPrefix.Length..]));
                }
            }
        }

        public bool AllowsAny => _any;

        public bool Allows(string group) => _any || _groups.Contains(group) || _patterns.Exists(p => p.IsMatch(group));

        private static Regex Compile(string pattern)
        {
            var sb = new StringBuilder("^");
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    sb.Append(".*");
                    i++;
                }
                else if (c == '*')
                {
                    sb.Append("[^.]*");
                }
                else if (c == '?')
                {
                    sb.Append('.');
                }
                else
                {
                    sb.Append(Regex.Escape(c.ToString()));
                }
            }

            return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        }
    }
}

/// <summary>The permissions the REST API can grant, revoke and check per connection.</summary>
internal enum HubPermission
{
    SendToGroup,
    JoinLeaveGroup,
}
