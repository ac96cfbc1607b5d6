using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.WebUtilities;

namespace Smartspace.WorkerHost;

/// <summary>
/// The host's HTTP routing over the indexed functions: route prefix + the trigger's route (the function
/// name when it declares none), ASP.NET Core route templates, the trigger's methods. Inline constraints
/// (<c>{id:int}</c>) are parsed but not enforced; between several matches the one with fewest parameters wins.
/// </summary>
public sealed class HttpRouting
{
    private readonly IReadOnlyList<(WorkerFunction Function, RouteTemplate Template, TemplateMatcher Matcher)> _routes;

    public HttpRouting(IEnumerable<WorkerFunction> functions, string routePrefix)
    {
        _routes = functions.Where(f => f.IsHttpTrigger).Select(f =>
        {
            var template = TemplateParser.Parse(FullTemplate(routePrefix, f.Route ?? f.Name));
            return (f, template, new TemplateMatcher(template, Defaults(template)));
        }).ToArray();
    }

    /// <summary>The full template the host serves a function at, e.g. <c>api/whatsapp/webhook</c>.</summary>
    public static string FullTemplate(string routePrefix, string route)
    {
        route = route.Trim('/');
        routePrefix = routePrefix.Trim('/');
        return routePrefix.Length == 0 ? route : route.Length == 0 ? routePrefix : routePrefix + "/" + route;
    }

    /// <summary>Route values when <paramref name="path"/> matches <paramref name="function"/>'s route, else null.</summary>
    public IReadOnlyDictionary<string, string>? Match(WorkerFunction function, string path)
    {
        var route = _routes.FirstOrDefault(r => ReferenceEquals(r.Function, function));
        if (route.Function is null)
        {
            throw new WorkerHostException($"{function.Name} is not an HTTP-triggered function.");
        }

        return TryMatch(route.Matcher, path);
    }

    /// <summary>The function the host would route <paramref name="method"/> <paramref name="path"/> to, or null (the host would answer 404).</summary>
    public (WorkerFunction Function, IReadOnlyDictionary<string, string> RouteValues)? Resolve(HttpMethod method, string path)
    {
        var candidates = _routes
            .Where(r => r.Function.Methods.Count == 0 || r.Function.Methods.Contains(method.Method.ToLowerInvariant()))
            .Select(r => (r.Function, r.Template, Values: TryMatch(r.Matcher, path)))
            .Where(r => r.Values is not null)
            .OrderBy(r => r.Template.Parameters.Count)
            .ToArray();
        return candidates.Length == 0 ? null : (candidates[0].Function, candidates[0].Values!);
    }

    public IEnumerable<string> Describe() =>
        _routes.Select(r => $"{string.Join(",", r.Function.Methods.DefaultIfEmpty("*"))} /{r.Template.TemplateText} → {r.Function.Name}");

    /// <summary>Query string values as the host puts them in RpcHttp (repeated keys joined with commas).</summary>
    public static Dictionary<string, string> ParseQuery(string? query) =>
        QueryHelpers.ParseQuery(query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);

    private static Dictionary<string, string>? TryMatch(TemplateMatcher matcher, string path)
    {
        var values = new RouteValueDictionary();
        if (!matcher.TryMatch(new PathString("/" + path.TrimStart('/')), values))
        {
            return null;
        }

        return values.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture)!, StringComparer.OrdinalIgnoreCase);
    }

    private static RouteValueDictionary Defaults(RouteTemplate template)
    {
        var defaults = new RouteValueDictionary();
        foreach (var parameter in template.Parameters.Where(p => p.DefaultValue is not null))
        {
            defaults[parameter.Name!] = parameter.DefaultValue;
        }

        return defaults;
    }
}
