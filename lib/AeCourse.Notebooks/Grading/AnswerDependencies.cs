using AeCourse.Notebooks.Format;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// A cell outside the exercises that uses a name an exercise makes: in the students' copy the answer is a stub that
/// throws, so this cell would fail for every student who has not finished the exercise, and the grader would count it
/// as a failing cell of the lecture.
/// </summary>
/// <param name="Cell">The cell that uses the name (0-based).</param>
/// <param name="Name">The name.</param>
/// <param name="MadeIn">The exercise's cell that declares or assigns it last before <paramref name="Cell"/> (0-based).</param>
/// <param name="GradeId">That cell's <c>grade_id</c>.</param>
public sealed record AnswerDependency(int Cell, string Name, int MadeIn, string GradeId);

/// <summary>
/// Finds the cells of a source outside its exercises that use what an exercise's answer or test cells make (a variable,
/// a function or a type declared, or a variable assigned, at a cell's top level), read from the cells' C# syntax in
/// notebook order as the kernel submits them. What an exercise computes may be used by its own checks and by later
/// exercises; the rest of a lecture must run without it. Syntax cannot see every path (an answer that changes an
/// object made before it, through a method call, is not found), so this is the release's first line; a grading run of
/// the students' copy is the proof.
/// </summary>
public static class AnswerDependencies
{
    static readonly CSharpParseOptions Script = CSharpParseOptions.Default.WithKind(SourceCodeKind.Script);

    /// <summary>Every use, in cell order, of a name an exercise made by a cell outside the exercises.</summary>
    public static IReadOnlyList<AnswerDependency> Find(Notebook notebook, IReadOnlyList<GradedCell> markup)
    {
        var roles = markup.ToDictionary(m => m.Index);
        var madeBy = new Dictionary<string, GradedCell>(StringComparer.Ordinal);   // name → the exercise cell that made it last
        var found = new List<AnswerDependency>();
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            if (!cell.IsCode) continue;
            var root = CSharpSyntaxTree.ParseText(cell.Source, Script).GetCompilationUnitRoot();
            var role = roles.TryGetValue(i, out var graded) ? graded.Role : CellRole.Plain;
            var made = TopLevelNames(root);
            if (role is CellRole.Plain or CellRole.Locked)
            {
                var ownNames = DeclaredAnywhere(root, made);
                foreach (var name in UsedNames(root).Where(n => !ownNames.Contains(n)).Distinct())
                    if (madeBy.TryGetValue(name, out var exercise))
                        found.Add(new AnswerDependency(i, name, exercise.Index, exercise.GradeId ?? ""));
            }
            foreach (var name in made)
            {
                if (role is CellRole.Answer or CellRole.Test) madeBy[name] = graded!;
                else madeBy.Remove(name);                    // declared again outside the exercises: the old one is hidden
            }
        }
        return found;
    }

    /// <summary>The message for the release: the cell, the name and the exercise that makes it.</summary>
    public static string Describe(AnswerDependency use) =>
        $"uses `{use.Name}`, which the exercise's cell {use.MadeIn + 1} ({use.GradeId}) makes: in the students' copy this cell " +
        "would fail until the exercise is done; use it only in the exercise's checks, or make it outside the exercise";

    /// <summary>Names a cell declares, or assigns, at its top level: what the next cells can see of it.</summary>
    static HashSet<string> TopLevelNames(CompilationUnitSyntax root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in root.Members)
        {
            switch (member)
            {
                case GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local }:
                    names.UnionWith(local.Declaration.Variables.Select(v => v.Identifier.ValueText));
                    break;
                case GlobalStatementSyntax { Statement: LocalFunctionStatementSyntax function }:
                    names.Add(function.Identifier.ValueText);
                    break;
                case GlobalStatementSyntax { Statement: ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment } }:
                    // x = …, x += …, var (a, b) = …, (a, b) = …
                    names.UnionWith(assignment.Left.DescendantNodesAndSelf().OfType<SingleVariableDesignationSyntax>().Select(d => d.Identifier.ValueText));
                    names.UnionWith(assignment.Left.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
                        .Where(n => n.Parent is not MemberAccessExpressionSyntax access || access.Expression == n)
                        .Where(n => n.Parent is AssignmentExpressionSyntax or ArgumentSyntax or TupleExpressionSyntax)
                        .Select(n => n.Identifier.ValueText));
                    break;
                case MethodDeclarationSyntax method:
                    names.Add(method.Identifier.ValueText);
                    break;
                case FieldDeclarationSyntax field:
                    names.UnionWith(field.Declaration.Variables.Select(v => v.Identifier.ValueText));
                    break;
                case BaseTypeDeclarationSyntax type:
                    names.Add(type.Identifier.ValueText);
                    break;
                case DelegateDeclarationSyntax @delegate:
                    names.Add(@delegate.Identifier.ValueText);
                    break;
            }
        }
        return names;
    }

    /// <summary>Every name a cell declares, at any depth (its own variables, parameters and functions), beside
    /// <paramref name="topLevel"/>, the names it declares or assigns at its top level.</summary>
    static HashSet<string> DeclaredAnywhere(CompilationUnitSyntax root, IEnumerable<string> topLevel)
    {
        var names = new HashSet<string>(topLevel, StringComparer.Ordinal);
        foreach (var node in root.DescendantNodes())
        {
            var name = node switch
            {
                VariableDeclaratorSyntax v => v.Identifier.ValueText,
                ParameterSyntax p => p.Identifier.ValueText,
                SingleVariableDesignationSyntax d => d.Identifier.ValueText,
                LocalFunctionStatementSyntax f => f.Identifier.ValueText,
                ForEachStatementSyntax f => f.Identifier.ValueText,
                _ => null,
            };
            if (!string.IsNullOrEmpty(name)) names.Add(name);
        }
        return names;
    }

    /// <summary>The simple names a cell refers to, leaving out members reached through a dot and argument names.</summary>
    static IEnumerable<string> UsedNames(CompilationUnitSyntax root) =>
        root.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(n => n.Parent is not MemberAccessExpressionSyntax access || access.Expression == n)
            .Where(n => n.Parent is not (NameColonSyntax or NameEqualsSyntax or QualifiedNameSyntax or MemberBindingExpressionSyntax))
            .Select(n => n.Identifier.ValueText);
}
