using System.Reflection;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// Turns a value into the MIME bundle a notebook stores: every MIME type its formatters give, found the way Polyglot
/// Notebooks finds them — an attribute named <c>TypeFormatterSourceAttribute</c> on the value's type (or a base type)
/// whose <c>FormatterSourceType</c> has <c>CreateTypeFormatters()</c> returning objects with a <c>MimeType</c> and a
/// <c>Format(object, TextWriter)</c>. Matching by name lets TorchSharp's tensors and the kit's pictures and charts
/// work in both places without referencing either. text/plain is always present (ToString() when no formatter gives it).
/// </summary>
public static class MimeBundle
{
    /// <summary>The bundle of <paramref name="value"/>: MIME type → content (base64 for images).</summary>
    public static JsonObject Of(object? value)
    {
        var data = new JsonObject();
        if (value is not null)
            foreach (var formatter in FormattersOf(value.GetType()))
            {
                var mime = formatter.GetType().GetProperty("MimeType")?.GetValue(formatter) as string;
                var format = formatter.GetType().GetMethod("Format", [typeof(object), typeof(TextWriter)]);
                if (mime is null || format is null || data.ContainsKey(mime)) continue;
                var writer = new StringWriter();
                if (format.Invoke(formatter, [value, writer]) is true) data[mime] = writer.ToString();
            }
        if (!data.ContainsKey("text/plain")) data["text/plain"] = PlainText(value);
        return data;
    }

    static IEnumerable<object> FormattersOf(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            var attribute = t.GetCustomAttributes(inherit: false).FirstOrDefault(a => a.GetType().Name == "TypeFormatterSourceAttribute");
            if (attribute?.GetType().GetProperty("FormatterSourceType")?.GetValue(attribute) is not Type sourceType) continue;
            var source = Activator.CreateInstance(sourceType, nonPublic: true);
            var create = sourceType.GetMethod("CreateTypeFormatters", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
            if (create?.Invoke(source, null) is System.Collections.IEnumerable formatters)
                return formatters.Cast<object>().ToList();
        }
        return [];
    }

    static string PlainText(object? value) => value switch
    {
        null => "<null>",
        string s => s,
        System.Collections.IEnumerable items and not System.Collections.IDictionary =>
            "[ " + string.Join(", ", items.Cast<object?>().Take(100).Select(i => i?.ToString() ?? "<null>")) + " ]",
        _ => value.ToString() ?? "",
    };
}
