using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using AeCourse.Cli.Hosting;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Jupyter;

namespace AeCourse.Cli.Commands;

/// <summary>
/// <c>aecourse kernel -f CONNECTION_FILE</c> runs the kit's Jupyter kernel (as Jupyter starts it from the kernelspec);
/// <c>aecourse kernel install|list|remove</c> manage the kernelspec. Exit codes: 0 done, 1 failed, 2 bad input.
/// </summary>
static class KernelCommand
{
    public static Command Create()
    {
        var connection = new Option<FileInfo?>("--connection-file", "-f") { Description = "The connection file Jupyter wrote for this kernel" };
        var command = new Command("kernel", "Run the kit's Jupyter kernel (Jupyter starts it), or install, list and remove its kernelspec")
            { connection, Install(), List(), Remove() };
        command.SetAction(async (result, _) =>
        {
            if (result.GetValue(connection) is not { } file)
            {
                Console.Error.WriteLine("aecourse kernel needs --connection-file FILE (Jupyter passes it); to register the kernel with Jupyter run: aecourse kernel install");
                return 2;
            }
            ConnectionInfo info;
            try { info = ConnectionInfo.Read(file.FullName); }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException or ArgumentException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            CommonOptions.ExportData(result);
            using var kernel = new JupyterKernel(info, new KernelOptions(Directory.GetCurrentDirectory(), KitPackages.Instance, ConsoleRouter.Error));
            await kernel.RunAsync();
            // A cell that ignored its interrupt may still be running; the process ends with the kernel either way.
            ConsoleRouter.Out.Flush();
            Environment.Exit(0);
            return 0;
        });
        return command;
    }

    /// <summary>Where a kernelspec goes: --user (default), --sys-prefix, --prefix DIR or --path DIR (a kernels folder itself).</summary>
    sealed record Location(Option<bool> User, Option<bool> SysPrefix, Option<string?> Prefix, Option<string?> Path)
    {
        public static Location Options() => new(
            new Option<bool>("--user") { Description = "The user's Jupyter data folder (the default)" },
            new Option<bool>("--sys-prefix") { Description = "The Python environment of python3 on PATH ({sys.prefix}/share/jupyter/kernels)" },
            new Option<string?>("--prefix") { Description = "DIR/share/jupyter/kernels" },
            new Option<string?>("--path") { Description = "A kernels folder itself (the kernelspec goes to DIR/NAME)" });

        public void AddTo(Command command)
        {
            command.Options.Add(User);
            command.Options.Add(SysPrefix);
            command.Options.Add(Prefix);
            command.Options.Add(Path);
        }

        /// <summary>The kernels folder chosen; null (after saying why) when the options disagree.</summary>
        public string? KernelsFolder(ParseResult result)
        {
            var chosen = new[] { result.GetValue(User), result.GetValue(SysPrefix), result.GetValue(Prefix) is not null, result.GetValue(Path) is not null }.Count(c => c);
            if (chosen > 1)
            {
                Console.Error.WriteLine("choose one of --user, --sys-prefix, --prefix DIR and --path DIR");
                return null;
            }
            if (result.GetValue(Path) is { } path) return System.IO.Path.GetFullPath(path);
            if (result.GetValue(Prefix) is { } prefix) return System.IO.Path.Combine(System.IO.Path.GetFullPath(prefix), "share", "jupyter", "kernels");
            if (result.GetValue(SysPrefix))
                return SysPrefixOfPython() is { } sys ? System.IO.Path.Combine(sys, "share", "jupyter", "kernels") : null;
            return System.IO.Path.Combine(KernelSpecs.UserDataDirectory(), "kernels");
        }
    }

    static Command Install()
    {
        var location = Location.Options();
        var name = new Option<string>("--name") { Description = "Kernelspec name (the lectures name .net-csharp)", DefaultValueFactory = _ => KernelSpecs.DefaultName };
        var force = new Option<bool>("--force") { Description = "Replace another kernel's kernelspec of that name (e.g. .NET Interactive's)" };
        var command = new Command("install", "Register the kit's kernel with Jupyter, under the name the lectures carry") { name, force };
        location.AddTo(command);
        command.SetAction(result =>
        {
            if (location.KernelsFolder(result) is not { } folder) return 2;
            try
            {
                var written = KernelSpecs.Install(folder, result.GetValue(name)!, OwnCommand(), KitPackages.Versions["AeCourse"], KernelLogo.Files(), result.GetValue(force));
                Console.WriteLine($"installed the kernelspec {result.GetValue(name)} in {written}");
                return 0;
            }
            catch (KernelSpecException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    static Command List()
    {
        var command = new Command("list", "List the kernelspecs Jupyter finds, marking the kit's");
        command.SetAction(_ =>
        {
            var specs = KernelSpecs.List(KernelSpecs.SearchPath(SysPrefixOfPython(quiet: true)));
            if (specs.Count == 0) Console.WriteLine("no kernelspecs found; run: aecourse kernel install");
            int width = specs.Count == 0 ? 0 : specs.Max(s => s.Name.Length);
            foreach (var spec in specs)
                Console.WriteLine($"{(spec.IsKit ? "*" : " ")} {spec.Name.PadRight(width)}  {spec.Folder}  ({spec.DisplayName}{(spec.IsKit ? ", AeCourse" : "")})");
            return 0;
        });
        return command;
    }

    static Command Remove()
    {
        var location = Location.Options();
        var name = new Option<string>("--name") { Description = "Kernelspec name", DefaultValueFactory = _ => KernelSpecs.DefaultName };
        var force = new Option<bool>("--force") { Description = "Remove it even if it is another kernel's" };
        var command = new Command("remove", "Remove the kit's kernelspec") { name, force };
        location.AddTo(command);
        command.SetAction(result =>
        {
            if (location.KernelsFolder(result) is not { } folder) return 2;
            try
            {
                bool removed = KernelSpecs.Remove(folder, result.GetValue(name)!, result.GetValue(force));
                Console.WriteLine(removed ? $"removed {Path.Combine(folder, result.GetValue(name)!)}" : $"no kernelspec {result.GetValue(name)} in {folder}");
                return 0;
            }
            catch (KernelSpecException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>How Jupyter is to start this very command: the installed tool itself, or dotnet with this assembly.</summary>
    static IReadOnlyList<string> OwnCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, Assembly.GetEntryAssembly()!.Location] : [process];
    }

    /// <summary>sys.prefix of python3 on PATH, as jupyter's --sys-prefix means; null (said unless quiet) when there is none.</summary>
    static string? SysPrefixOfPython(bool quiet = false)
    {
        try
        {
            using var python = Process.Start(new ProcessStartInfo("python3", ["-c", "import sys; print(sys.prefix)"]) { RedirectStandardOutput = true, RedirectStandardError = true });
            var prefix = python!.StandardOutput.ReadToEnd().Trim();
            python.WaitForExit();
            if (python.ExitCode == 0 && prefix.Length > 0) return prefix;
        }
        catch (System.ComponentModel.Win32Exception) { }
        if (!quiet) Console.Error.WriteLine("--sys-prefix needs python3 on PATH (the Python that runs Jupyter); use --prefix DIR or --path DIR instead");
        return null;
    }
}
