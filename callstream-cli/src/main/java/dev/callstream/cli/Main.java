package dev.callstream.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code callstream.jar}: {@code record}, {@code send}, {@code profile}, {@code replay}. */
@Command(
    name = "callstream",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Receive, generate and provision RingCentral Engage Voice call streams.",
    subcommands = {RecordCommand.class, SendCommand.class, ProfileCommand.class, ReplayCommand.class})
public final class Main implements Runnable {

  /** Exit code for usage errors (unknown flag, bad value). */
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit code (for tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = commandLine(out, err);
    return commandLine.execute(args);
  }

  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(out);
    commandLine.setErr(err);
    // A usage error is one line on stderr and exit 2, so scripts can tell it from a failed run.
    commandLine.setParameterExceptionHandler(
        (ex, args) -> {
          ex.getCommandLine().getErr().println("error: " + usageMessage(ex) + " (see --help)");
          return EXIT_USAGE;
        });
    commandLine.setExecutionExceptionHandler(
        (ex, cl, parseResult) -> {
          cl.getErr().println("error: " + ex.getMessage());
          return 1;
        });
    return commandLine;
  }

  /**
   * Picocli's message for an unknown option lists the arguments after it too, which may be a secret
   * given to a mistyped flag; name only the unknown options themselves.
   */
  static String usageMessage(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
      List<String> options =
          unmatched.getUnmatched().stream().filter(arg -> arg.startsWith("-")).map(Main::optionName).toList();
      return options.isEmpty()
          ? "unexpected argument"
          : "unknown option" + (options.size() > 1 ? "s " : " ") + String.join(", ", options);
    }
    return ex.getMessage();
  }

  private static String optionName(String arg) {
    int equals = arg.indexOf('=');
    return "'" + (equals < 0 ? arg : arg.substring(0, equals)) + "'";
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"callstream " + (version == null ? "dev" : version)};
    }
  }
}
