using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using AeCourse.Notebooks.Format;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// Papermill's convention in C#: the cell tagged <c>parameters</c> declares defaults (<c>int epochs = 20;</c>);
/// values given on the command line go into a new cell tagged <c>injected-parameters</c> right after it, declared
/// again with the same types — a later submission's declaration hides the earlier one.
/// </summary>
public static class Parameters
{
    /// <summary>Tag of the cell holding the defaults.</summary>
    public const string Tag = "parameters";

    /// <summary>Tag of the cell the engine inserts.</summary>
    public const string InjectedTag = "injected-parameters";

    /// <summary>Inserts (or replaces) the injected-parameters cell.</summary>
    /// <exception cref="NotebookCellException">No parameters cell, an undeclared name, or a value of the wrong type; the message says which.</exception>
    public static void Inject(Notebook notebook, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0) return;
        int index = notebook.Cells.ToList().FindIndex(c => c.IsCode && c.Tags.Contains(Tag));
        if (index < 0)
            throw new NotebookCellException(0, "parameters", $"{notebook.Path} has no code cell tagged '{Tag}', so -p {values.Keys.First()}=… has nowhere to go");
        var declared = Declarations(notebook.Cells[index].Source);
        var lines = new List<string> { "// Parameters given on the command line" };
        foreach (var (name, value) in values)
        {
            if (!declared.TryGetValue(name, out var type))
                throw new NotebookCellException(index + 1, "parameters",
                    $"parameter '{name}' is not declared in the parameters cell (cell {index + 1}); it declares: {string.Join(", ", declared.Keys)}");
            lines.Add($"{type} {name} = {Literal(name, type, value)};");
        }
        if (index + 1 < notebook.Cells.Count && notebook.Cells[index + 1].Tags.Contains(InjectedTag))
            notebook.Cells.RemoveAt(index + 1);
        notebook.Cells.Insert(index + 1, NotebookCell.Code(string.Join("\n", lines), [InjectedTag]));
    }

    /// <summary>Variables the parameters cell declares, with their C# types (var resolved from the literal).</summary>
    public static IReadOnlyDictionary<string, string> Declarations(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(kind: SourceCodeKind.Script)).GetCompilationUnitRoot();
        var declared = new Dictionary<string, string>();
        foreach (var declaration in root.DescendantNodes().OfType<VariableDeclarationSyntax>())
            foreach (var variable in declaration.Variables)
            {
                var type = declaration.Type.ToString();
                if (type == "var") type = TypeOfLiteral(variable.Initializer?.Value);
                declared[variable.Identifier.Text] = type;
            }
        return declared;
    }

    static string TypeOfLiteral(ExpressionSyntax? value) => value switch
    {
        LiteralExpressionSyntax { Token.Value: int } => "int",
        LiteralExpressionSyntax { Token.Value: long } => "long",
        LiteralExpressionSyntax { Token.Value: double } => "double",
        LiteralExpressionSyntax { Token.Value: float } => "float",
        LiteralExpressionSyntax { Token.Value: bool } => "bool",
        LiteralExpressionSyntax { Token.Value: string } => "string",
        PrefixUnaryExpressionSyntax { Operand: var operand } => TypeOfLiteral(operand),
        _ => "var",
    };

    static string Literal(string name, string type, string value)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (type == "var")   // declared from an expression: take the value's own type
            type = int.TryParse(value, NumberStyles.Integer, invariant, out _) ? "int"
                 : double.TryParse(value, NumberStyles.Float, invariant, out _) ? "double"
                 : bool.TryParse(value, out _) ? "bool" : "string";
        bool ok = type switch
        {
            "int" => int.TryParse(value, NumberStyles.Integer, invariant, out _),
            "long" => long.TryParse(value, NumberStyles.Integer, invariant, out _),
            "double" or "float" => double.TryParse(value, NumberStyles.Float, invariant, out _),
            "bool" => bool.TryParse(value, out _),
            _ => true,
        };
        if (!ok) throw new NotebookCellException(0, "parameters", $"parameter '{name}' is {type}, but '{value}' is not a {type}");
        return type switch
        {
            "double" => DoubleLiteral(double.Parse(value, invariant)),
            "float" => DoubleLiteral(double.Parse(value, invariant)) + "f",
            "long" => value + "L",
            "bool" => bool.Parse(value) ? "true" : "false",
            "int" => value,
            _ => SymbolDisplay.FormatLiteral(value, quote: true),
        };
    }

    static string DoubleLiteral(double d)
    {
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }
}
