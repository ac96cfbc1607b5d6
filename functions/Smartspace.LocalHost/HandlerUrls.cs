namespace Smartspace.LocalHost;

/// <summary>
/// Where the local host listens: the ordinary ASP.NET Core settings (<c>--urls</c>, <c>ASPNETCORE_URLS</c>,
/// <c>urls</c>), and when none is given, <see cref="LocalDefault"/>.
/// </summary>
public static class HandlerUrls
{
    public const string LocalDefault = "http://127.0.0.1:5080";

    public static void Apply(WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(LocalDefault);
        }
    }
}
