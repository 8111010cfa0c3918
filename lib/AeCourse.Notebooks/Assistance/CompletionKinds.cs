using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Tags;

namespace AeCourse.Notebooks.Assistance;

/// <summary>What a Roslyn completion item names, in the words Jupyter front ends show beside a match.</summary>
internal static class CompletionKinds
{
    // Roslyn tags an item with its kind among other tags (accessibility, …); the first kind found wins.
    static readonly (string Tag, string Type)[] Kinds =
    [
        (WellKnownTags.Method, "method"),
        (WellKnownTags.ExtensionMethod, "method"),
        (WellKnownTags.Property, "property"),
        (WellKnownTags.Field, "field"),
        (WellKnownTags.Event, "event"),
        (WellKnownTags.Local, "local"),
        (WellKnownTags.Parameter, "parameter"),
        (WellKnownTags.RangeVariable, "local"),
        (WellKnownTags.Constant, "constant"),
        (WellKnownTags.EnumMember, "enum member"),
        (WellKnownTags.Class, "class"),
        (WellKnownTags.Structure, "struct"),
        (WellKnownTags.Interface, "interface"),
        (WellKnownTags.Enum, "enum"),
        (WellKnownTags.Delegate, "delegate"),
        (WellKnownTags.TypeParameter, "type parameter"),
        (WellKnownTags.Module, "module"),
        (WellKnownTags.Namespace, "namespace"),
        (WellKnownTags.Keyword, "keyword"),
        (WellKnownTags.Intrinsic, "keyword"),
        (WellKnownTags.Label, "label"),
        (WellKnownTags.Operator, "operator"),
        (WellKnownTags.Snippet, "snippet"),
    ];

    public static string Of(ImmutableArray<string> tags)
    {
        foreach (var (tag, type) in Kinds)
            if (tags.Contains(tag)) return type;
        return "text";
    }
}
