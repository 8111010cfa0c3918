using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Format;

/// <summary>
/// Writes JSON exactly as Jupyter and VS Code do for .ipynb files: an indent of N spaces, <c>": "</c> between key and
/// value, empty containers as <c>[]</c> and <c>{}</c>, and only the characters JSON requires escaped (quote, backslash,
/// control characters as <c>\n</c>, <c>\t</c> … or <c>\u00XX</c>); everything else, non-ASCII included, is written
/// as is. Numbers keep their original text. Keys keep their order, so a file read and written again is unchanged.
/// </summary>
static class JsonText
{
    public static string Write(JsonNode? node, int indent)
    {
        var text = new StringBuilder();
        Write(text, node, indent, 0);
        return text.ToString();
    }

    static void Write(StringBuilder text, JsonNode? node, int indent, int depth)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj when obj.Count == 0:
                text.Append("{}");
                break;
            case JsonObject obj:
                text.Append('{');
                bool firstProperty = true;
                foreach (var (key, value) in obj)
                {
                    text.Append(firstProperty ? "\n" : ",\n");
                    firstProperty = false;
                    text.Append(' ', indent * (depth + 1));
                    WriteString(text, key);
                    text.Append(": ");
                    Write(text, value, indent, depth + 1);
                }
                text.Append('\n').Append(' ', indent * depth).Append('}');
                break;
            case JsonArray array when array.Count == 0:
                text.Append("[]");
                break;
            case JsonArray array:
                text.Append('[');
                for (int i = 0; i < array.Count; i++)
                {
                    text.Append(i == 0 ? "\n" : ",\n");
                    text.Append(' ', indent * (depth + 1));
                    Write(text, array[i], indent, depth + 1);
                }
                text.Append('\n').Append(' ', indent * depth).Append(']');
                break;
            case JsonValue value:
                WriteValue(text, value);
                break;
        }
    }

    static void WriteValue(StringBuilder text, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(text, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            default:
                // A number: parsed ones keep their source text; new ones are written in invariant culture.
                text.Append(value.TryGetValue<JsonElement>(out var element) ? element.GetRawText() : value.ToJsonString());
                break;
        }
    }

    static void WriteString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
