namespace Smartspace.Functions.Hosting;

/// <summary>
/// Where the handler listens. Under the Functions host, <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> (legacy
/// <c>FUNCTIONS_HTTPWORKER_PORT</c>) wins and the handler binds 127.0.0.1 on that port; otherwise the
/// ordinary ASP.NET Core settings apply (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>urls</c>), and when
/// none is given, the local default <see cref="LocalDefault"/>.
/// </summary>
public static class HandlerUrls
{
    public const string LocalDefault = "http://127.0.0.1:5080";

    public static string? FromFunctionsHost(Func<string, string?> env)
    {
        var port = env("FUNCTIONS_CUSTOMHANDLER_PORT") ?? env("FUNCTIONS_HTTPWORKER_PORT");
        if (string.IsNullOrWhiteSpace(port))
        {
            return null;
        }

        if (!int.TryParse(port, out var value) || value is <= 0 or > 65535)
        {
            throw new InvalidOperationException($"FUNCTIONS_CUSTOMHANDLER_PORT '{port}' is not a valid port.");
        }

        return $"http://127.0.0.1:{value}";
    }

    public static void Apply(WebApplicationBuilder builder)
    {
        var fromHost = FromFunctionsHost(Environment.GetEnvironmentVariable);
        if (fromHost is not null)
        {
            builder.WebHost.UseUrls(fromHost);
            return;
        }

        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(LocalDefault);
        }
    }
}
