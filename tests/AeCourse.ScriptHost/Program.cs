using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: AeCourse.ScriptHost SCRIPT.csx");
    return 64;
}
var path = Path.GetFullPath(args[0]);
var folder = Path.GetDirectoryName(path)!;
// The default imports of the .NET Interactive C# kernel.
var options = ScriptOptions.Default
    .WithFilePath(path)
    .WithImports("System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq")
    .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(folder))
    .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(folder));
try
{
    await CSharpScript.RunAsync(await File.ReadAllTextAsync(path), options);
    return 0;
}
catch (CompilationErrorException e)
{
    foreach (var d in e.Diagnostics) Console.Error.WriteLine(d);
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    return 1;
}
