using System.Net.Http.Headers;
using System.Text;
using Smartspace.Realtime.Auth;

namespace Smartspace.Realtime.Tests.Support;

/// <summary>Calls the hub's REST API with a Bearer JWT whose audience the test chooses.</summary>
public static class Rest
{
    public enum Aud
    {
        FullUrl,
        WithoutQuery,
        HubUrl,
    }

    internal static async Task<HttpResponseMessage> SendAsync(
        HubHost host,
        HttpMethod method,
        string relative,
        string? body = null,
        string contentType = "application/json",
        Aud aud = Aud.FullUrl,
        string key = HubHost.Key,
        string query = "api-version=2024-12-01",
        bool authorize = true)
    {
        var url = $"{host.BaseUrl}/api/hubs/{HubHost.HubName}/{relative}" + (query.Length > 0 ? "?" + query : "");
        var audience = aud switch
        {
            Aud.WithoutQuery => url.Split('?')[0],
            Aud.HubUrl => $"{host.BaseUrl}/api/hubs/{HubHost.HubName}",
            _ => url,
        };
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, url);
        if (authorize)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HubJwt.Create(key, audience, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        return await http.SendAsync(request);
    }
}
