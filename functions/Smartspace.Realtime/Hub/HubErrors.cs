using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Smartspace.Realtime.Hub;

/// <summary>Web PubSub's error shape: JSON <c>{code,message}</c> plus the <c>x-ms-error-code</c> header.</summary>
internal static class HubErrors
{
    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-error-code"] = code;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new ErrorBody(code, message), HubJsonContext.Default.ErrorBody));
    }
}

internal sealed record ErrorBody(string Code, string Message);

internal sealed record TokenBody(string Token);

internal sealed record GroupMember(string ConnectionId, string? UserId);

internal sealed record GroupMemberPage(IReadOnlyList<GroupMember> Value, string? NextLink);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ErrorBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(TokenBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(GroupMemberPage))]
internal sealed partial class HubJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
