using System.Diagnostics;
using System.Text;
using Smartspace.Core.Meta;
using Smartspace.Core.Tests.TestSupport;

namespace Smartspace.Core.Tests.Meta;

public sealed class WebhookParserMalformedTests
{
    private const string Head = """{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"2"},""";

    public static TheoryData<string, string> Bodies => new()
    {
        { "", "the body is empty" },
        { "  \r\n ", "the body is empty" },
        { "[]", "the body must be an object, got an array" },
        { "\"text\"", "the body must be an object, got a string" },
        { "null", "the body must be an object, got null" },
        { "42", "the body must be an object, got a number" },
        { "{", "malformed JSON" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[", "malformed JSON" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[]}{}", "malformed JSON" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[],}", "malformed JSON" },
        { "{\"object\":\"whatsapp_business_account\" /* c */,\"entry\":[]}", "malformed JSON" },
        { "{}", "$.object is missing" },
        { "{\"object\":\"page\",\"entry\":[]}", "$.object must be \"whatsapp_business_account\", got \"page\"" },
        { "{\"object\":1,\"entry\":[]}", "$.object must be a string, got a number" },
        { "{\"object\":\"whatsapp_business_account\"}", "$.entry is missing" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":{}}", "$.entry must be an array, got an object" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[1]}", "$.entry[0] must be an object, got a number" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[]}]}", "$.entry[0].id is missing" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\"}]}", "$.entry[0].changes is missing" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"value\":{}}]}]}", "$.entry[0].changes[0].field is missing" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\"}]}]}", "$.entry[0].changes[0].value is missing" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\",\"value\":[]}]}]}", "$.entry[0].changes[0].value must be an object, got an array" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\",\"value\":{}}]}]}", "$.entry[0].changes[0].value.metadata is missing" },
        { Head + "\"messages\":[{\"id\":7,\"timestamp\":\"1\",\"type\":\"text\"}]}}]}]}", "$.entry[0].changes[0].value.messages[0].id must be a string, got a number" },
        { Head + "\"messages\":[{\"timestamp\":\"1\",\"type\":\"text\"}]}}]}]}", "$.entry[0].changes[0].value.messages[0].id is missing" },
        { Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":\"soon\",\"type\":\"text\"}]}}]}]}", "$.entry[0].changes[0].value.messages[0].timestamp must be Unix seconds as a string of digits" },
        { Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":\"-5\",\"type\":\"text\"}]}}]}]}", "$.entry[0].changes[0].value.messages[0].timestamp must be Unix seconds as a string of digits" },
        { Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":\"99999999999999999999\",\"type\":\"text\"}]}}]}]}", "$.entry[0].changes[0].value.messages[0].timestamp must be Unix seconds as a string of digits" },
        { Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":true,\"type\":\"text\"}]}}]}]}", "$.entry[0].changes[0].value.messages[0].timestamp must be Unix seconds as a string of digits" },
        { Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":\"1\"}]}}]}]}", "$.entry[0].changes[0].value.messages[0].type is missing" },
        { Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":\"1\",\"type\":\"text\",\"text\":\"hi\"}]}}]}]}", "$.entry[0].changes[0].value.messages[0].text must be an object, got a string" },
        { Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":\"1\",\"type\":\"text\",\"text\":{\"body\":5}}]}}]}]}", "$.entry[0].changes[0].value.messages[0].text.body must be a string, got a number" },
        { Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":\"1\",\"type\":\"location\",\"location\":{\"latitude\":\"north\",\"longitude\":1}}]}}]}]}", "$.entry[0].changes[0].value.messages[0].location.latitude must be a number, got a string" },
        { Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":\"1\",\"type\":\"audio\",\"audio\":{\"voice\":\"yes\"}}]}}]}]}", "$.entry[0].changes[0].value.messages[0].audio.voice must be a boolean, got a string" },
        { Head + "\"messages\":{}}}]}]}", "$.entry[0].changes[0].value.messages must be an array, got an object" },
        { Head + "\"messages\":[\"w\"]}}]}]}", "$.entry[0].changes[0].value.messages[0] must be an object, got a string" },
        { Head + "\"statuses\":[{\"id\":\"w\",\"timestamp\":\"1\"}]}}]}]}", "$.entry[0].changes[0].value.statuses[0].status is missing" },
        { Head + "\"statuses\":[{\"id\":\"w\",\"status\":\"failed\",\"timestamp\":\"1\",\"errors\":[{\"title\":\"x\"}]}]}}]}]}", "$.entry[0].changes[0].value.statuses[0].errors[0].code is missing" },
        { Head + "\"statuses\":[{\"id\":\"w\",\"status\":\"failed\",\"timestamp\":\"1\",\"errors\":[{\"code\":\"abc\"}]}]}}]}]}", "$.entry[0].changes[0].value.statuses[0].errors[0].code must be an integer, got a string" },
        { Head + "\"contacts\":[{\"profile\":\"Ana\"}]}}]}]}", "$.entry[0].changes[0].value.contacts[0].profile must be an object, got a string" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"message_template_status_update\",\"value\":{\"event\":\"APPROVED\"}}]}]}", "$.entry[0].changes[0].value.message_template_id is missing" },
        { "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"message_template_status_update\",\"value\":{\"event\":\"APPROVED\",\"message_template_id\":1.5}}]}]}", "$.entry[0].changes[0].value.message_template_id must be a number or a non-empty string, got a number" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void P7_MalformedBody_IsAnErrorWithAPreciseReason(string body, string reason)
    {
        var result = WebhookParser.Parse(Encoding.UTF8.GetBytes(body));

        Assert.False(result.IsSuccess);
        Assert.StartsWith(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void P7_HugeNesting_IsAnErrorNotAStackOverflow()
    {
        var body = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"x\",\"value\":"
            + new string('[', 100_000) + new string(']', 100_000) + "}]}]}";
        var result = WebhookParser.Parse(Encoding.UTF8.GetBytes(body));

        Assert.False(result.IsSuccess);
        Assert.Contains("depth", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void P7_InvalidUtf8_IsAnError()
    {
        var body = Encoding.UTF8.GetBytes(Head + "\"messages\":[{\"id\":\"w\",\"timestamp\":\"1\",\"type\":\"text\",\"text\":{\"body\":\"XX\"}}]}}]}]}");
        var at = Array.IndexOf(body, (byte)'X');
        body[at] = 0xC3; // a lead byte followed by 'X': not UTF-8
        var result = WebhookParser.Parse(body);

        Assert.False(result.IsSuccess);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public void P7_ReasonQuotingUntrustedText_IsClippedAndHasNoControlCharacters()
    {
        var result = WebhookParser.Parse(Encoding.UTF8.GetBytes("{\"object\":\"" + new string('a', 500) + "\\n\\u0000\",\"entry\":[]}"));

        Assert.False(result.IsSuccess);
        Assert.True(result.Error.Length < 200);
        Assert.DoesNotContain(result.Error, char.IsControl);
    }

    [Fact]
    public void P7_RandomlyMutatedFixtures_NeverThrow()
    {
        // Fuzz: flip, delete, duplicate and splice bytes of every fixture; every outcome must be a
        // result (success or a non-empty reason), never an exception.
        var random = new Random(20261124);
        var fixtures = Fixtures.Names.Select(Fixtures.Bytes).ToArray();
        byte[] interesting = "{}[]\",:0-9.eE\\ntrufalsenull\u00c3\u00ff"u8.ToArray();
        var failures = 0;
        for (var i = 0; i < 30_000; i++)
        {
            var body = fixtures[random.Next(fixtures.Length)].ToList();
            var mutations = random.Next(1, 6);
            for (var m = 0; m < mutations && body.Count > 0; m++)
            {
                var at = random.Next(body.Count);
                switch (random.Next(5))
                {
                    case 0: body[at] = (byte)random.Next(256); break;
                    case 1: body[at] = interesting[random.Next(interesting.Length)]; break;
                    case 2: body.RemoveRange(at, Math.Min(random.Next(1, 40), body.Count - at)); break;
                    case 3:
                        var from = random.Next(body.Count);
                        body.InsertRange(at, body.GetRange(from, Math.Min(20, body.Count - from)));
                        break;
                    default: body.RemoveRange(at, body.Count - at); break; // truncate
                }
            }

            var result = WebhookParser.Parse(body.ToArray());
            Assert.True(result.IsSuccess || !string.IsNullOrEmpty(result.Error));
            failures += result.IsSuccess ? 0 : 1;
        }

        Assert.InRange(failures, 1, 29_999); // the fuzz reaches both outcomes
    }

    [Fact]
    public void P7_StructuralFuzz_WrongTypesEverywhere_NeverThrow()
    {
        // Replace each JSON value of each fixture, one at a time, by values of every other type.
        string[] replacements = ["null", "0", "-1.5e300", "\"\"", "\"x\"", "true", "[]", "{}", "[{}]", "\"99999999999999999999\""];
        foreach (var name in Fixtures.Names)
        {
            var text = Encoding.UTF8.GetString(Fixtures.Bytes(name));
            var values = System.Text.RegularExpressions.Regex.Matches(text, "(?<=: )(\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9.]+|true|false|null)");
            foreach (System.Text.RegularExpressions.Match value in values)
            {
                foreach (var replacement in replacements)
                {
                    var mutated = text[..value.Index] + replacement + text[(value.Index + value.Length)..];
                    var result = WebhookParser.Parse(Encoding.UTF8.GetBytes(mutated));
                    Assert.True(result.IsSuccess || !string.IsNullOrEmpty(result.Error), name);
                }
            }
        }
    }

    [Fact]
    public void P3_ThousandUpdateBody_ParsesQuickly()
    {
        var items = string.Join(",", Enumerable.Range(0, 500).Select(i =>
            $$$"""{"from":"5511987654321","id":"wamid.{{{i}}}","timestamp":"1749416383","type":"text","text":{"body":"{{{new string('á', 2000)}}}"}}"""));
        var statuses = string.Join(",", Enumerable.Range(0, 500).Select(i =>
            $$"""{"id":"wamid.o{{i}}","status":"delivered","timestamp":"1750030075","recipient_id":"5511987654321"}"""));
        var body = Encoding.UTF8.GetBytes(Head + "\"messages\":[" + items + "],\"statuses\":[" + statuses + "]}}]}]}");
        Assert.InRange(body.Length, 2_000_000, 3 * 1024 * 1024);

        WebhookParser.Parse(body); // warm up
        var clock = Stopwatch.StartNew();
        var result = WebhookParser.Parse(body);
        clock.Stop();

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(500, result.Envelope.Messages.Count());
        Assert.Equal(500, result.Envelope.Statuses.Count());
        Assert.True(clock.ElapsedMilliseconds < 1_000, $"took {clock.ElapsedMilliseconds} ms");
    }
}
