// Small helpers to build request JSON in tests.
using System.Text.Json;

namespace Prg.Kms.Tests;

internal static class Json
{
    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes);

    public static string B64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));

    public static string Text(JsonElement element, string property) =>
        System.Text.Encoding.UTF8.GetString(element.GetProperty(property).GetBytesFromBase64());

    public static string Aad(string threadId, string recordId) =>
        $"{{\"thread_id\":{JsonSerializer.Serialize(threadId)},\"record_id\":{JsonSerializer.Serialize(recordId)}}}";
}
