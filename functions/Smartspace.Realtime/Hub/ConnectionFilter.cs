using System.Collections;
using System.Globalization;
using System.Text;

namespace Smartspace.Realtime.Hub;

/// <summary>The properties of one connection a filter can test.</summary>
internal readonly record struct FilterSubject(string ConnectionId, string? UserId, IReadOnlyCollection<string> Groups, string? Protocol);

/// <summary>An invalid <c>filter</c>: answered 400 before anything is sent.</summary>
internal sealed class ConnectionFilterException(string message) : Exception(message);

/// <summary>
/// Web PubSub's OData <c>filter</c> on connections (send to all / user / group, add or remove filtered connections
/// to groups): identifiers <c>userId</c>, <c>connectionId</c>, <c>groups</c> and <c>protocol</c> (names case-insensitive);
/// literals: strings in single quotes (<c>''</c> escapes one), integers, <c>true</c>, <c>false</c>, <c>null</c>, and
/// parenthesised lists; operators <c>or</c>, <c>and</c>, <c>not</c>, <c>eq</c>, <c>ne</c>, <c>gt</c>, <c>ge</c>, <c>lt</c>,
/// <c>le</c> (integers only) and <c>in</c> (a list or <c>groups</c>); functions <c>length</c>, <c>tolower</c>,
/// <c>toupper</c>, <c>trim</c>, <c>contains</c>, <c>startswith</c>, <c>endswith</c>, <c>indexof</c>, <c>concat</c> and
/// <c>substring</c>. Precedence as in OData: <c>or</c> &lt; <c>and</c> &lt; comparisons &lt; <c>not</c>. The whole
/// filter is type-checked when parsed, so a bad one is refused before it reaches a single connection.
/// </summary>
internal sealed class ConnectionFilter
{
    private const int MaxDepth = 100;
    private const int MaxLength = 8 * 1024;
    private static readonly FilterSubject Probe = new("", "", [], "");

    private readonly Expr _root;

    private ConnectionFilter(Expr root) => _root = root;

    /// <summary>Null for an empty filter (every connection matches).</summary>
    public static ConnectionFilter? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.Length > MaxLength)
        {
            throw new ConnectionFilterException($"The filter is longer than {MaxLength} characters.");
        }

        var parser = new Parser(text);
        var root = parser.ParseWhole();
        var filter = new ConnectionFilter(root);
        if (root.Eval(Probe) is not bool)
        {
            throw new ConnectionFilterException("The filter is not a Boolean expression.");
        }

        return filter;
    }

    public bool Matches(FilterSubject subject)
    {
        try
        {
            return _root.Eval(subject) is true;
        }
        catch (ConnectionFilterException)
        {
            return false; // types were checked at parse time; a value-dependent failure excludes the connection
        }
    }

    // ---- evaluation: values are null, bool, int, string or a collection of strings ----

    private abstract class Expr
    {
        public abstract object? Eval(FilterSubject s);
    }

    private sealed class Literal(object? value) : Expr
    {
        public object? Value { get; } = value;

        public override object? Eval(FilterSubject s) => Value;
    }

    private sealed class ListLiteral(IReadOnlyList<object?> items) : Expr
    {
        public override object? Eval(FilterSubject s) => items;
    }

    private sealed class Identifier(string name) : Expr
    {
        public override object? Eval(FilterSubject s) => name switch
        {
            "userid" => new Str(s.UserId),
            "connectionid" => new Str(s.ConnectionId),
            "protocol" => new Str(s.Protocol),
            _ => s.Groups,
        };
    }

    /// <summary>A string property that may be null: still a string for type checks, null for comparisons.</summary>
    private readonly record struct Str(string? Value);

    private static object? Plain(object? v) => v is Str s ? s.Value : v;

    private static string? AsString(object? v, string what) => v switch
    {
        Str s => s.Value,
        string s => s,
        null => null,
        _ => throw new ConnectionFilterException($"{what} needs a string."),
    };

    private static bool AsBool(object? v, string what) =>
        v is bool b ? b : throw new ConnectionFilterException($"{what} needs a Boolean expression.");

    private sealed class Not(Expr operand) : Expr
    {
        public override object? Eval(FilterSubject s) => !AsBool(operand.Eval(s), "not");
    }

    private sealed class Binary(string op, Expr left, Expr right) : Expr
    {
        public override object? Eval(FilterSubject s)
        {
            // Both sides always evaluated: type errors surface at parse time, whatever the data.
            var l = left.Eval(s);
            var r = right.Eval(s);
            switch (op)
            {
                case "or":
                    return AsBool(l, op) | AsBool(r, op);
                case "and":
                    return AsBool(l, op) & AsBool(r, op);
                case "eq":
                    return Same(l, r);
                case "ne":
                    return !Same(l, r);
                case "in":
                    return In(l, r);
                default:
                    var (a, b) = (Plain(l), Plain(r));
                    if (a is null || b is null)
                    {
                        return false;
                    }

                    if (a is not int x || b is not int y)
                    {
                        throw new ConnectionFilterException($"{op} compares integers only.");
                    }

                    return op switch { "gt" => x > y, "ge" => x >= y, "lt" => x < y, _ => x <= y };
            }
        }

        private static bool Same(object? l, object? r)
        {
            var (a, b) = (Plain(l), Plain(r));
            if (a is IEnumerable and not string || b is IEnumerable and not string)
            {
                throw new ConnectionFilterException("eq and ne compare single values, not collections.");
            }

            return Equals(a, b);
        }

        private static bool In(object? l, object? r)
        {
            var value = Plain(l);
            var items = Plain(r) switch
            {
                IReadOnlyCollection<string> groups => groups.Cast<object?>(),
                IReadOnlyList<object?> list => list,
                _ => throw new ConnectionFilterException("in needs a list such as ('a','b') or groups."),
            };
            return items.Any(item => Equals(item, value));
        }
    }

    private sealed class Call(string name, Expr[] args) : Expr
    {
        public override object? Eval(FilterSubject s)
        {
            var v = args.Select(a => a.Eval(s)).ToArray();
            switch (name)
            {
                case "length":
                    return Plain(v[0]) switch
                    {
                        null => null,
                        string text => text.Length,
                        IReadOnlyCollection<string> c => c.Count,
                        _ => throw new ConnectionFilterException("length needs a string or a collection."),
                    };
                case "tolower":
                    return new Str(AsString(v[0], name)?.ToLowerInvariant());
                case "toupper":
                    return new Str(AsString(v[0], name)?.ToUpperInvariant());
                case "trim":
                    return new Str(AsString(v[0], name)?.Trim());
                case "contains" or "startswith" or "endswith":
                {
                    var (text, part) = (AsString(v[0], name), AsString(v[1], name));
                    return text is not null && part is not null && name switch
                    {
                        "contains" => text.Contains(part, StringComparison.Ordinal),
                        "startswith" => text.StartsWith(part, StringComparison.Ordinal),
                        _ => text.EndsWith(part, StringComparison.Ordinal),
                    };
                }

                case "indexof":
                {
                    var (text, part) = (AsString(v[0], name), AsString(v[1], name));
                    return text is null || part is null ? -1 : text.IndexOf(part, StringComparison.Ordinal);
                }

                case "concat":
                {
                    var (a, b) = (AsString(v[0], name), AsString(v[1], name));
                    return new Str(a is null || b is null ? null : a + b);
                }

                default: // substring
                {
                    var text = AsString(v[0], name);
                    if (Plain(v[1]) is not int start || (v.Length == 3 && Plain(v[2]) is not int))
                    {
                        throw new ConnectionFilterException("substring needs integer positions.");
                    }

                    if (text is null)
                    {
                        return new Str(null);
                    }

                    var from = Math.Clamp(start, 0, text.Length);
                    var length = v.Length == 3 ? Math.Clamp((int)Plain(v[2])!, 0, text.Length - from) : text.Length - from;
                    return new Str(text.Substring(from, length));
                }
            }
        }
    }

    // ---- parsing: recursive descent over a small tokenizer ----

    private sealed class Parser(string text)
    {
        private static readonly Dictionary<string, int> Arity = new(StringComparer.Ordinal)
        {
            ["length"] = 1, ["tolower"] = 1, ["toupper"] = 1, ["trim"] = 1,
            ["contains"] = 2, ["startswith"] = 2, ["endswith"] = 2, ["indexof"] = 2, ["concat"] = 2, ["substring"] = -1,
        };

        private static readonly string[] ComparisonOperators = ["eq", "ne", "gt", "ge", "lt", "le", "in"];

        private int _pos;
        private int _depth;

        public Expr ParseWhole()
        {
            var e = Or();
            SkipSpace();
            if (_pos < text.Length)
            {
                throw Error($"unexpected '{text[_pos]}'");
            }

            return e;
        }

        private Expr Or()
        {
            var left = And();
            while (Keyword("or"))
            {
                left = new Binary("or", left, And());
            }

            return left;
        }

        private Expr And()
        {
            var left = Comparison();
            while (Keyword("and"))
            {
                left = new Binary("and", left, Comparison());
            }

            return left;
        }

        private Expr Comparison()
        {
            var left = Unary();
            while (true)
            {
                var op = Array.Find(ComparisonOperators, Keyword);
                if (op is null)
                {
                    return left;
                }

                left = new Binary(op, left, op == "in" && Take('(') ? Nest(InList) : Unary());
            }
        }

        private Expr Unary()
        {
            if (Keyword("not"))
            {
                return Nest(() => new Not(Unary()));
            }

            return Primary();
        }

        private Expr Primary()
        {
            SkipSpace();
            if (_pos >= text.Length)
            {
                throw Error("the filter ends too early");
            }

            var c = text[_pos];
            if (c == '(')
            {
                return Nest(Parenthesised);
            }

            if (c == '\'')
            {
                return new Literal(StringLiteral());
            }

            if (char.IsAsciiDigit(c) || (c == '-' && _pos + 1 < text.Length && char.IsAsciiDigit(text[_pos + 1])))
            {
                return new Literal(Integer());
            }

            var word = Word();
            if (word.Length == 0)
            {
                throw Error($"unexpected '{c}'");
            }

            SkipSpace();
            if (_pos < text.Length && text[_pos] == '(' && Arity.TryGetValue(word, out var arity))
            {
                _pos++;
                var args = Nest(() => Arguments());
                if ((arity > 0 && args.Length != arity) || (arity < 0 && args.Length is not (2 or 3)))
                {
                    throw Error($"{word} takes {(arity > 0 ? arity.ToString(CultureInfo.InvariantCulture) : "2 or 3")} argument(s)");
                }

                return new Call(word, args);
            }

            return word.ToLowerInvariant() switch
            {
                "true" => new Literal(true),
                "false" => new Literal(false),
                "null" => new Literal(null),
                "userid" or "connectionid" or "groups" or "protocol" => new Identifier(word.ToLowerInvariant()),
                _ => throw Error($"'{word}' is not userId, connectionId, groups, protocol or a supported function"),
            };
        }

        /// <summary>After '(': a grouped expression (a list of literals exists only after <c>in</c>: <see cref="InList"/>).</summary>
        private Expr Parenthesised()
        {
            _pos++;
            var inner = Or();
            return Take(')') ? inner : throw Error("expected ')'");
        }

        /// <summary>After <c>in (</c>: one or more literals.</summary>
        private Expr InList()
        {
            var items = new List<object?>();
            do
            {
                items.Add(LiteralValue(Or()));
            }
            while (Take(','));
            if (!Take(')'))
            {
                throw Error("expected ')' after the list");
            }

            return new ListLiteral(items);
        }

        private Expr[] Arguments()
        {
            var args = new List<Expr>();
            SkipSpace();
            if (Take(')'))
            {
                return [];
            }

            do
            {
                args.Add(Or());
                SkipSpace();
            }
            while (Take(','));
            if (!Take(')'))
            {
                throw Error("expected ')' after the arguments");
            }

            return [.. args];
        }

        private object? LiteralValue(Expr e) =>
            e is Literal l ? l.Value : throw Error("a list may hold only literal values");

        private string StringLiteral()
        {
            var sb = new StringBuilder();
            _pos++;
            while (true)
            {
                if (_pos >= text.Length)
                {
                    throw Error("a string is not closed");
                }

                if (text[_pos] == '\'')
                {
                    if (_pos + 1 < text.Length && text[_pos + 1] == '\'')
                    {
                        sb.Append('\'');
                        _pos += 2;
                        continue;
                    }

                    _pos++;
                    return sb.ToString();
                }

                sb.Append(text[_pos++]);
            }
        }

        private int Integer()
        {
            var start = _pos;
            if (text[_pos] == '-')
            {
                _pos++;
            }

            while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
            {
                _pos++;
            }

            return int.TryParse(text.AsSpan(start, _pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw Error("an integer is out of range");
        }

        private string Word()
        {
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
            {
                _pos++;
            }

            return text[start.._pos];
        }

        /// <summary>Consumes a keyword (case-sensitive, as in OData) followed by a non-word character.</summary>
        private bool Keyword(string keyword)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, keyword, 0, keyword.Length) != 0)
            {
                return false;
            }

            var end = _pos + keyword.Length;
            if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
            {
                return false;
            }

            _pos = end;
            return true;
        }

        private bool Take(char c)
        {
            SkipSpace();
            if (_pos < text.Length && text[_pos] == c)
            {
                _pos++;
                return true;
            }

            return false;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private T Nest<T>(Func<T> parse)
        {
            if (++_depth > MaxDepth)
            {
                throw Error($"it nests deeper than {MaxDepth} levels");
            }

            try
            {
                return parse();
            }
            finally
            {
                _depth--;
            }
        }

        private ConnectionFilterException Error(string what) =>
            new($"Invalid filter at position {_pos}: {what}.");
    }
}
