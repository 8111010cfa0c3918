using System.CommandLine;
using AeCourse.Cli.Commands;

var root = new RootCommand("aecourse: the AeCourse autoencoder course kit");
root.Options.Add(CommonOptions.Data);
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(DataCommands.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(RenderCommand.Create());
root.Subcommands.Add(ReproduceCommand.Create());
root.Subcommands.Add(LecturesCommand.Create());
root.Subcommands.Add(ReleaseCommand.Create());
root.Subcommands.Add(KernelCommand.Create());
GradeCommand.AddTo(root);
return await root.Parse(args).InvokeAsync();
