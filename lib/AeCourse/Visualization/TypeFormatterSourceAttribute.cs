namespace AeCourse.Visualization;

/// <summary>
/// Names the class that makes the formatters of a type. Notebook front ends find it by its name alone — Polyglot
/// Notebooks (.NET Interactive) and the kit's own engine both look for an attribute called
/// <c>TypeFormatterSourceAttribute</c> — so the kit's pictures and charts display richly without the library
/// referencing either. The same convention as TorchSharp's tensors.
/// </summary>
/// <param name="formatterSourceType">A class with a parameterless constructor and a <c>CreateTypeFormatters()</c>
/// method returning formatter objects, each with a <c>MimeType</c> and a <c>Format(object, TextWriter)</c>.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The class that makes the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>
    /// The MIME types a front end puts in the value's output. Polyglot Notebooks reads this property by its name and
    /// produces exactly these types (without it, text/html alone), so a picture that should also reach viewers without
    /// HTML (GitHub, nbconvert to PDF) must list image/png here. The kit's engine honours it in the same way.
    /// </summary>
    public string[]? PreferredMimeTypes { get; init; }
}

/// <summary>A formatter in the shape notebook front ends call: one MIME type, and a method that writes the value.</summary>
/// <typeparam name="T">The type it formats.</typeparam>
/// <param name="mimeType">e.g. text/html, image/png (base64 text), text/plain.</param>
/// <param name="write">Writes the value; the front end shows what was written under <paramref name="mimeType"/>.</param>
public sealed class MimeFormatter<T>(string mimeType, Action<T, TextWriter> write)
{
    /// <summary>The MIME type this formatter produces.</summary>
    public string MimeType { get; } = mimeType;

    /// <summary>Writes <paramref name="instance"/> if it is a <typeparamref name="T"/>; returns whether it did.</summary>
    public bool Format(object instance, TextWriter writer)
    {
        if (instance is not T value) return false;
        write(value, writer);
        return true;
    }
}
