using System.Globalization;
using Smartspace.Core.Media;
using Smartspace.Infra.Tests.Infrastructure;

namespace Smartspace.Infra.Tests;

/// <summary>
/// Issue 16 (outbound attachments up to Meta's limits): the Functions host reads a request body before the worker does, with its
/// own limit (104857600 bytes by default). An agent's 100 MiB document in its multipart form is larger than that, so the Function
/// App raises the host's limit with FUNCTIONS_REQUEST_BODY_SIZE_LIMIT to what the attachment handler takes — and not much more.
/// </summary>
public class RequestBodyLimitTests
{
    /// <summary>The Functions host's default request body limit (bytes) when the setting is absent.</summary>
    private const long HostDefaultLimit = 104_857_600;

    private static long Limit()
    {
        var infra = CompiledInfra.Instance;
        Assert.True(infra.AppSettings.TryGetValue("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT", out var raw),
            "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT is not an app setting of the Function App");
        Assert.True(long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var limit), $"'{raw}' is not a number of bytes");
        return limit;
    }

    [Fact]
    public void Issue16_HostBodyLimit_AdmitsTheLargestAttachmentAndItsForm()
    {
        var limit = Limit();

        Assert.True(limit >= MediaRules.MaxAttachmentRequestBytes,
            $"the host refuses bodies over {limit} bytes; an attachment request may be {MediaRules.MaxAttachmentRequestBytes} bytes");
        Assert.True(limit > HostDefaultLimit, "the host's default limit already refuses a 100 MiB document with its form");
    }

    [Fact]
    public void Issue16_HostBodyLimit_IsTheLargestAttachmentPlusOneMiB_NotUnbounded()
    {
        // 100 MiB (a document, Meta's largest file) + 1 MiB for the form: anything larger only lets the host buffer what the
        // handler will refuse anyway.
        Assert.Equal(100L * 1024 * 1024, MediaRules.MaxBytesOfAnyKind);
        Assert.Equal(MediaRules.MaxBytesOfAnyKind + 1024 * 1024, Limit());
    }
}
