namespace Smartspace.Realtime.Auth;

/// <summary>
/// Decides whether a token's <c>aud</c> names this request. Audiences are compared after un-escaping,
/// without a trailing slash, ignoring case and the scheme family (http/https/ws/wss): the JS server SDK
/// signs the full URL with its query, the REST docs show the URL without query (or the bare hub URL),
/// and a hub behind a proxy may be addressed as https while it sees http.
/// </summary>
internal static class AudienceMatcher
{
    /// <summary>Authorities (host[:port]) the hub answers for: the configured endpoint's and the request's own.</summary>
    public static bool Matches(string audience, IEnumerable<string> authorities, IEnumerable<string> pathsAndQueries)
    {
        if (!TrySplit(audience, out var authority, out var rest))
        {
            return false;
        }

        if (!authorities.Any(a => string.Equals(a, authority, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var normalized = Normalize(rest);
        return pathsAndQueries.Any(p => string.Equals(Normalize(p), normalized, StringComparison.OrdinalIgnoreCase));
    }

    private static bool TrySplit(string url, out string authority, out string rest)
    {
        authority = rest = "";
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return false;
        }

        var scheme = url[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("http" or "https" or "ws" or "wss"))
        {
            return false;
        }

        var afterScheme = url[(schemeEnd + 3)..];
        var slash = afterScheme.IndexOfAny(['/', '?']);
        authority = slash < 0 ? afterScheme : afterScheme[..slash];
        rest = slash < 0 ? "/" : afterScheme[slash..];
        authority = StripDefaultPort(authority, scheme);
        return authority.Length > 0;
    }

    public static string StripDefaultPort(string authority, string scheme) =>
        (scheme is "http" or "ws") && authority.EndsWith(":80", StringComparison.Ordinal) ? authority[..^3]
        : (scheme is "https" or "wss") && authority.EndsWith(":443", StringComparison.Ordinal) ? authority[..^4]
        : authority;

    private static string Normalize(string pathAndQuery)
    {
        string value;
        try
        {
            value = Uri.UnescapeDataString(pathAndQuery);
        }
        catch (UriFormatException)
        {
            value = pathAndQuery;
        }

        var q = value.IndexOf('?');
        if (q >= 0)
        {
            var path = value[..q].TrimEnd('/');
            return path + value[q..];
        }

        return value.TrimEnd('/');
    }
}
