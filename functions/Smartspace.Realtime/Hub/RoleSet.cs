using System.Text;
using System.Text.RegularExpressions;

namespace Smartspace.Realtime.Hub;

/// <summary>
/// A connection's permissions from its <c>role</c> claim: <c>webpubsub.joinLeaveGroup</c> /
/// <c>webpubsub.sendToGroup</c> (any group), <c>….&lt;group&gt;</c> (one group), and the wildcard forms
/// <c>webpubsub.joinLeaveGroups.{pattern}</c> / <c>webpubsub.sendToGroups.{pattern}</c>
/// (<c>*</c> within one dot-segment, <c>**</c> across segments, <c>?</c> one character).
/// </summary>
internal sealed class RoleSet
{
    private readonly Permission _joinLeave;
    private readonly Permission _send;

    public RoleSet(IEnumerable<string> roles)
    {
        var list = roles.ToList();
        Roles = list;
        _joinLeave = new Permission("webpubsub.joinLeaveGroup", "webpubsub.joinLeaveGroups.", list);
        _send = new Permission("webpubsub.sendToGroup", "webpubsub.sendToGroups.", list);
    }

    public IReadOnlyList<string> Roles { get; }

    public bool CanJoinOrLeave(string group) => _joinLeave.Allows(group);

    public bool CanSendTo(string group) => _send.Allows(group);

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
