using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smartspace.Core.Media;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Options;
using Smartspace.Meta.Sending;

namespace Smartspace.Meta.Media;

/// <summary>
/// <see cref="IMetaMedia"/> over the Graph API (Meta or the sandbox; same wire format). The access token is only ever
/// sent to the configured Graph host and to Meta's own media hosts, never to another host a lookup might name.
/// </summary>
public sealed partial class GraphMediaClient(HttpClient http, IOptionsMonitor<MetaOptions> options, ILogger<GraphMediaClient> logger) : IMetaMedia
{
    /// <summary>HttpClient timeout of a media call (a 100 MB document takes a while).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static readonly string[] MetaMediaHosts = [".fbsbx.com", ".facebook.com", ".whatsapp.net", ".fbcdn.net"];

    public async Task<MediaDownload> DownloadAsync(string mediaId, string phoneNumberId, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaId);
        MediaDownload? last = null;
        for (var lookup = 1; lookup <= 2; lookup++)
        {
            var info = await LookupAsync(mediaId, phoneNumberId, cancellationToken).ConfigureAwait(false);
            if (info.Failure is { } failure)
            {
                return failure;
            }

            var (url, mime, sha, size) = info.Found!.Value;
            if (size is { } declared && declared > maxBytes)
            {
                return new MediaDownload(MediaFetchResult.TooLarge, null, mime, sha, null, null, $"Meta declares {declared} bytes");
            }

            last = await GetBytesAsync(url, mime, sha, maxBytes, cancellationToken).ConfigureAwait(false);
            if (last.HttpStatus != (int)HttpStatusCode.NotFound)
            {
                return last;
            }

            // §12: a 404 on the URL → ask for a fresh URL and try once more.
        }

        return last! with { Result = MediaFetchResult.Transient };
    }

    public async Task<MediaUpload> UploadAsync(string phoneNumberId, byte[] content, string mimeType, string fileName, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("whatsapp"), "messaging_product");
        form.Add(new StringContent(mimeType), "type");
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(mimeType);
        form.Add(file, "file", fileName);
        using var request = new HttpRequestMessage(HttpMethod.Post, current.VersionedBaseUrl + Uri.EscapeDataString(phoneNumberId) + "/media") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.AccessToken);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode && StringProperty(body, "id") is { Length: > 0 } id)
            {
                return new MediaUpload(id, null);
            }

            var error = GraphError.TryParse(body);
            var kind = MetaErrorCodes.Classify(error?.Code, status, 0);
            LogUploadRefused(logger, error?.Code, status);
            // An upload holds no message: a second one never reaches the customer twice, so "ambiguous" is just "later".
            return new MediaUpload(null, new SendOutcome.Rejected(error?.Code, error?.Message ?? "media upload refused", error?.Details, status,
                kind == RejectionKind.Ambiguous ? new RejectionKind.RetryLater(MetaErrorCodes.RetryDelay(null, 0)) : kind));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUploadFailed(logger, ex.GetType().Name);
            return new MediaUpload(null, new SendOutcome.Rejected(null, "media upload failed: " + ex.GetType().Name, null, null,
                new RejectionKind.RetryLater(MetaErrorCodes.RetryDelay(null, 0))));
        }
    }

    public async Task<bool> MarkReadAsync(string phoneNumberId, string wamid, bool typing, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("messaging_product", "whatsapp");
            w.WriteString("status", "read");
            w.WriteString("message_id", wamid);
            if (typing)
            {
                w.WriteStartObject("typing_indicator");
                w.WriteString("type", "text");
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, current.VersionedBaseUrl + Uri.EscapeDataString(phoneNumberId) + "/messages")
        {
            Content = new ByteArrayContent(buffer.ToArray()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.AccessToken);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogReceiptRefused(logger, (int)response.StatusCode, typing);
            }

            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogReceiptFailed(logger, ex.GetType().Name, typing);
            return false;
        }
    }

    private readonly record struct Lookup(MediaDownload? Failure, (string Url, string? Mime, string? Sha, long? Size)? Found);

    private async Task<Lookup> LookupAsync(string mediaId, string phoneNumberId, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var url = current.VersionedBaseUrl + Uri.EscapeDataString(mediaId) + "?phone_number_id=" + Uri.EscapeDataString(phoneNumberId);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.AccessToken);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var error = GraphError.TryParse(body);
                var result = Classify(error?.Code, status);
                LogLookupRefused(logger, error?.Code, status, result);
                return new Lookup(new MediaDownload(result, null, null, null, error?.Code, status, $"media lookup answered HTTP {status}, code {error?.Code}"), null);
            }

            var mediaUrl = StringProperty(body, "url");
            if (string.IsNullOrEmpty(mediaUrl) || !Uri.TryCreate(mediaUrl, UriKind.Absolute, out _))
            {
                return new Lookup(new MediaDownload(MediaFetchResult.Transient, null, null, null, null, status, "media lookup answered no url"), null);
            }

            long? size = long.TryParse(StringProperty(body, "file_size"), out var s) ? s : null;
            return new Lookup(null, (mediaUrl, StringProperty(body, "mime_type"), StringProperty(body, "sha256"), size));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new Lookup(new MediaDownload(MediaFetchResult.Transient, null, null, null, null, null, "media lookup failed: " + ex.GetType().Name), null);
        }
    }

    private async Task<MediaDownload> GetBytesAsync(string url, string? mime, string? sha, long maxBytes, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var uri = new Uri(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (MayCarryToken(uri, current))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.AccessToken);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var error = GraphError.TryParse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
                return new MediaDownload(status == 404 ? MediaFetchResult.Transient : Classify(error?.Code, status), null, mime, sha, error?.Code, status, $"media download answered HTTP {status}");
            }

            if (response.Content.Headers.ContentLength is { } length && length > maxBytes)
            {
                return new MediaDownload(MediaFetchResult.TooLarge, null, mime, sha, null, status, $"the download has {length} bytes");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var collected = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (collected.Length + read > maxBytes)
                {
                    return new MediaDownload(MediaFetchResult.TooLarge, null, mime, sha, null, status, "the download is over the limit");
                }

                collected.Write(chunk, 0, read);
            }

            var type = response.Content.Headers.ContentType?.ToString() ?? mime;
            return new MediaDownload(MediaFetchResult.Stored, collected.ToArray(), mime ?? type, sha, null, status, "downloaded");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new MediaDownload(MediaFetchResult.Transient, null, mime, sha, null, null, "media download failed: " + ex.GetType().Name);
        }
    }

    /// <summary>Gone: Meta no longer has it (404, unknown object 100, 131052 media download error). TooLarge: Meta says so. Else transient.</summary>
    internal static MediaFetchResult Classify(int? code, int status) => code switch
    {
        131052 => MediaFetchResult.Gone,
        100 when status is 400 or 404 => MediaFetchResult.Gone,
        _ when status == 404 => MediaFetchResult.Gone,
        _ when status == 413 => MediaFetchResult.TooLarge,
        _ => MediaFetchResult.Transient,
    };

    private static bool MayCarryToken(Uri uri, MetaOptions current) =>
        (Uri.TryCreate(current.GraphBaseUrl, UriKind.Absolute, out var graph) && string.Equals(graph.Authority, uri.Authority, StringComparison.OrdinalIgnoreCase))
        || (uri.Scheme == Uri.UriSchemeHttps && MetaMediaHosts.Any(h => uri.Host.EndsWith(h, StringComparison.OrdinalIgnoreCase)));

    private static string? StringProperty(byte[] body, string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var value)
                ? value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.GetRawText(),
                    _ => null,
                }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Media lookup refused: code {Code}, HTTP {HttpStatus} ({Result})")]
    private static partial void LogLookupRefused(ILogger logger, int? code, int httpStatus, MediaFetchResult result);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Media upload refused: code {Code}, HTTP {HttpStatus}")]
    private static partial void LogUploadRefused(ILogger logger, int? code, int httpStatus);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Media upload failed ({Error}); retried later")]
    private static partial void LogUploadFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "Read receipt refused: HTTP {HttpStatus} (typing {Typing})")]
    private static partial void LogReceiptRefused(ILogger logger, int httpStatus, bool typing);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Warning, Message = "Read receipt failed ({Error}) (typing {Typing})")]
    private static partial void LogReceiptFailed(ILogger logger, string error, bool typing);
}
