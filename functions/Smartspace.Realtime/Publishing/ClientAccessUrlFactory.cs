using Microsoft.Extensions.Options;
using Smartspace.Realtime.Auth;
using Smartspace.Realtime.Options;

namespace Smartspace.Realtime.Publishing;

/// <summary>What the negotiate endpoint returns: the full client URL, its token and the URL without token.</summary>
public sealed record ClientAccessUrl(string Url, string Token, string BaseUrl);

/// <summary>Issues client access URLs (the same shape and token for Azure and the embedded hub).</summary>
public interface IClientAccessUrlFactory
{
    /// <param name="userId">Becomes <c>sub</c>: messages to this user reach this connection.</param>
    /// <param name="groups">Joined on connect (<c>webpubsub.group</c>).</param>
    /// <param name="roles">e.g. <c>webpubsub.joinLeaveGroup.supervisors</c>; none = may only send events.</param>
    /// <param name="lifetime">Token lifetime; null = <see cref="WebPubSubOptions.TokenLifetime"/>.</param>
    ClientAccessUrl Create(string userId, IEnumerable<string>? groups = null, IEnumerable<string>? roles = null, TimeSpan? lifetime = null);
}

public sealed class ClientAccessUrlFactory(IOptions<WebPubSubOptions> options, TimeProvider time) : IClientAccessUrlFactory
{
    public ClientAccessUrl Create(string userId, IEnumerable<string>? groups = null, IEnumerable<string>? roles = null, TimeSpan? lifetime = null)
    {
        var o = options.Value;
        var endpoint = o.Endpoint.TrimEnd('/');
        var audience = $"{endpoint}/client/hubs/{o.Hub}";
        var token = HubJwt.Create(o.AccessKey, audience, time.GetUtcNow(), lifetime ?? o.TokenLifetime, userId, roles, groups);
        var baseUrl = (endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "wss://" + endpoint["https://".Length..]
            : endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "ws://" + endpoint["http://".Length..]
            : endpoint) + $"/client/hubs/{o.Hub}";
        return new ClientAccessUrl($"{baseUrl}?access_token={Uri.EscapeDataString(token)}", token, baseUrl);
    }
}
