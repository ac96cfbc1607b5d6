using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Logging;

/// <summary>No full phone number, token or secret ever reaches the logs, at any level, through a whole conversation.</summary>
public sealed class PhoneNumbersNotLoggedTests : IDisposable
{
    private readonly HandlerFactory factory = new();
    private readonly CapturingLoggerProvider logs = new();

    [Fact]
    public async Task WholeConversation_LogsNeitherFullNumbersNorSecrets()
    {
        var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))));
        var now = factory.Clock.GetUtcNow();
        var webhook = await factory.PostWebhookAsync(MetaPayloads.Text("5511987654321", "wamid.LOG1", now, "Oi", "Maria"), app.CreateClient());
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);

        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = factory.ClientFor("ana").DefaultRequestHeaders.Authorization;
        var start = await client.PostJsonAsync("/api/agent/conversations", new
        {
            number = "21987651234",
            template = new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria", "Smartspace" }, headerImageLink = "https://example.com/a.jpg" },
        });
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var history = await client.GetAsync("/api/agent/history?number=21987651234");
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        var bad = await factory.PostWebhookAsync(System.Text.Encoding.UTF8.GetBytes("{\"from\":\"5511987654321\"}"), "sha256=00", app.CreateClient());
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);

        Assert.NotEmpty(logs.Lines);
        foreach (var forbidden in new[] { "5511987654321", "11987654321", "987654321", "5521987651234", "21987651234", HandlerFactory.AppSecret, "test-jwt-signing-key", "test-access-token", "Bearer ey" })
        {
            Assert.DoesNotContain(logs.Lines, line => line.Contains(forbidden, StringComparison.Ordinal));
        }
    }

    public void Dispose()
    {
        factory.Dispose();
        logs.Dispose();
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                lines.Enqueue($"{category} scope {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{category} {logLevel} {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
