using System.CommandLine;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Rendering;

namespace AeCourse.Cli.Commands;

/// <summary><c>aecourse render NOTEBOOK --html FILE</c>: one standalone page of a notebook, working offline.</summary>
static class RenderCommand
{
    public static Command Create()
    {
        var notebook = new Argument<FileInfo>("notebook") { Description = "The .ipynb file (usually an executed one)" };
        var html = new Option<FileInfo>("--html") { Description = "The page to write", Required = true };
        var command = new Command("render", "Write a notebook as one standalone HTML page for lecture walkthroughs") { notebook, html };
        command.SetAction(result =>
        {
            Notebook source;
            try { source = Notebook.Read(result.GetValue(notebook)!.FullName); }
            catch (NotebookFormatException e) { Console.Error.WriteLine(e.Message); return 2; }
            var target = result.GetValue(html)!.FullName;
            HtmlRenderer.Write(source, target);
            Console.WriteLine($"wrote {target}");
            return 0;
        });
        return command;
    }
}
