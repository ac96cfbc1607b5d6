using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Features;
using Smartspace.Storage;

namespace Smartspace.Functions.Hosting;

/// <summary>
/// The 4xx the framework itself produces — unknown route, wrong method, wrong media type, an unreadable,
/// empty or oversized body, a bad query value — as <c>application/problem+json</c> with a stable <c>code</c>
/// and a detail in a client developer's words: never a .NET type name, a binding message or a storage limit.
/// </summary>
public static partial class HttpProblems
{
    public const string AgentApiPrefix = "/api/agent";

    /// <summary>An empty 4xx/5xx response (no endpoint, wrong method, a bare status result) gets a problem body.</summary>
    public static Task WriteStatusAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var result = status switch
        {
            StatusCodes.Status400BadRequest => ApiProblems.BadRequest("The request is not valid."),
            StatusCodes.Status403Forbidden => ApiProblems.Refusal(RefusalCode.Forbidden),
            StatusCodes.Status404NotFound => ApiProblems.Problem(status, "not_found", "Nothing is served at this address; the routes are in /api/openapi/v1.json."),
            StatusCodes.Status405MethodNotAllowed => ApiProblems.Problem(status, "method_not_allowed", $"This address does not accept {http.Request.Method}."),
            StatusCodes.Status413PayloadTooLarge => ApiProblems.PayloadTooLarge(MaxBodyBytes(http)),
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType(),
            StatusCodes.Status429TooManyRequests => ApiProblems.RateLimited(),
            _ => ApiProblems.Problem(status, "http_" + status, ReasonPhrases.GetReasonPhrase(status)),
        };
        return result.ExecuteAsync(http);
    }

    /// <summary>
    /// Never a 500 for bad input: what the framework refuses while binding a request keeps its status with our
    /// own words; an unreachable store is 503 (Meta retries); anything else is a 500 without internals.
    /// </summary>
    public static Task WriteUnhandledAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var result = error switch
        {
            BadHttpRequestException bad => ForBadRequest(bad, context),
            JsonException json => MalformedJson(json),
            StoreUnavailableException => ApiProblems.StoreUnavailable(),
            StoreLimitException => ApiProblems.BadRequest("The request holds more than can be saved; shorten it and try again."),
            _ => ApiProblems.Problem(StatusCodes.Status500InternalServerError, "internal_error", "Unexpected error."),
        };
        return result.ExecuteAsync(context);
    }

    /// <summary>
    /// The agent API reads at most <see cref="AgentApiOptions.MaxBodyBytes"/>: a declared larger body is refused
    /// with 413 before a byte is read; an undeclared (chunked) one stops at the limit with the same 413.
    /// </summary>
    public static IApplicationBuilder UseAgentApiBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments(AgentApiPrefix) || TakesFiles(context.Request.Path))
        {
            await next(context);
            return;
        }

        var limit = MaxBodyBytes(context);
        if (context.Request.ContentLength > limit)
        {
            await ApiProblems.PayloadTooLarge(limit).ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        else if (context.Request.ContentLength is null)
        {
            context.Request.Body = new BoundedReadStream(context.Request.Body, limit);
        }

        await next(context);
    });

    /// <summary>An attachment upload (a WhatsApp document is up to 100 MB): its handler sets and enforces its own limit.</summary>
    private static bool TakesFiles(PathString path) =>
        path.StartsWithSegments(AgentApiPrefix + "/conversations") && path.Value!.EndsWith("/attachments", StringComparison.Ordinal);

    private static long MaxBodyBytes(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<AgentApiOptions>>().Value.MaxBodyBytes;

    private static IResult UnsupportedMediaType() =>
        ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "The body must be JSON: send Content-Type: application/json.");

    private static IResult ForBadRequest(BadHttpRequestException bad, HttpContext context)
    {
        if (bad.InnerException is JsonException json)
        {
            return MalformedJson(json);
        }

        return bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => ApiProblems.PayloadTooLarge(MaxBodyBytes(context)),
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType(),
            StatusCodes.Status400BadRequest when context.Request.ContentLength == 0 || bad.Message.Contains("no body was provided", StringComparison.Ordinal)
                => ApiProblems.BadRequest("The request body is empty; this request needs a JSON object."),
            StatusCodes.Status400BadRequest when Parameter().Match(bad.Message) is { Success: true } match
                => ApiProblems.BadRequest(match.Groups["source"].Value == "body"
                    ? "The request body is missing or null; this request needs a JSON object."
                    : $"The value of '{match.Groups["name"].Value}' is not valid."),
            StatusCodes.Status400BadRequest => ApiProblems.BadRequest("The request is not valid."),
            _ => ApiProblems.Problem(bad.StatusCode, "http_" + bad.StatusCode, ReasonPhrases.GetReasonPhrase(bad.StatusCode)),
        };
    }

    /// <summary>Where the JSON went wrong, not what .NET could not convert it to.</summary>
    private static IResult MalformedJson(JsonException json)
    {
        var at = json.Path is { Length: > 0 } path ? $" at {path}" : "";
        var where = json.LineNumber is { } line && json.BytePositionInLine is { } column ? $" (line {line + 1}, byte {column + 1})" : "";
        return ApiProblems.BadRequest($"The body is malformed JSON or a value has the wrong type{at}{where}.");
    }

    /// <summary>The framework's binding messages name the parameter as "Type name" and its source; only the name is kept.</summary>
    [GeneratedRegex("""parameter "(?:[^"]* )?(?<name>[A-Za-z_][A-Za-z0-9_]*)"(?: was not provided from (?<source>\w+))?""")]
    private static partial Regex Parameter();

    /// <summary>Reads through to the inner stream and fails with 413 once more than the limit has arrived.</summary>
    private sealed class BoundedReadStream(Stream inner, long limit) : Stream
    {
        private long read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int n)
        {
            read += n;
            return read > limit
                ? throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge)
                : n;
        }
    }
}
