using System.Reflection;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// Turns a value into the MIME bundle a notebook stores: every MIME type its formatters give, found the way Polyglot
/// Notebooks finds them — an attribute named <c>TypeFormatterSourceAttribute</c> on the value's type (or a base type)
/// whose <c>FormatterSourceType</c> has <c>CreateTypeFormatters()</c> returning objects with a <c>MimeType</c> and a
/// <c>Format(object, TextWriter)</c>. Matching by name lets TorchSharp's tensors and the kit's pictures and charts
/// work in both places without referencing either. As in the kernel, an attribute's <c>PreferredMimeTypes</c> (read by
/// name) chooses exactly which types the output carries. Without it the kernel gives text/html alone; the engine gives
/// every type the formatters make, and text/plain always (ToString() when no formatter gives it).
/// </summary>
public static class MimeBundle
{
    /// <summary>The bundle of <paramref name="value"/>: MIME type → content (base64 for images).</summary>
    public static JsonObject Of(object? value)
    {
        var data = new JsonObject();
        var (formatters, preferred) = value is null ? ([], null) : FormattersOf(value.GetType());
        foreach (var formatter in formatters)
        {
            var mime = formatter.GetType().GetProperty("MimeType")?.GetValue(formatter) as string;
            var format = formatter.GetType().GetMethod("Format", [typeof(object), typeof(TextWriter)]);
            if (mime is null || format is null || data.ContainsKey(mime) || preferred?.Contains(mime) == false) continue;
            var writer = new StringWriter();
            if (format.Invoke(formatter, [value, writer]) is true) data[mime] = writer.ToString();
        }
        if (!data.ContainsKey("text/plain") && preferred?.Contains("text/plain") != false) data["text/plain"] = PlainText(value);
        return data;
    }

    /// <summary>The formatters a type's formatter-source attribute names, and its preferred MIME types (null when unset).</summary>
    static (IReadOnlyList<object> Formatters, string[]? Preferred) FormattersOf(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            var attribute = t.GetCustomAttributes(inherit: false).FirstOrDefault(a => a.GetType().Name == "TypeFormatterSourceAttribute");
            if (attribute?.GetType().GetProperty("FormatterSourceType")?.GetValue(attribute) is not Type sourceType) continue;
            var preferred = attribute.GetType().GetProperty("PreferredMimeTypes")?.GetValue(attribute) as string[];
            var source = Activator.CreateInstance(sourceType, nonPublic: true);
            var create = sourceType.GetMethod("CreateTypeFormatters", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
            if (create?.Invoke(source, null) is System.Collections.IEnumerable formatters)
                return (formatters.Cast<object>().ToList(), preferred is { Length: > 0 } ? preferred : null);
        }
        return ([], null);
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
