package dev.callstream.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code callstream.jar}: {@code record}, {@code send}, {@code profile}, {@code
 * stream}, {@code replay}.
 */
@Command(
    name = "callstream",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Receive, generate and provision RingCentral Engage Voice call streams.",
    subcommands = {
      RecordCommand.class,
      SendCommand.class,
      ProfileCommand.class,
      StreamCommand.class,
      ReplayCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  private static final Pattern UNKNOWN_SUBCOMMAND = Pattern.compile("Unknown subcommand '(.*)'\\.");

  /** Exit code for usage errors (unknown flag, bad value). */
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Before the first logger exists: slf4j-simple reads its configuration once.
    LogOptions.configure(args);
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
    // -V on a subcommand prints the same version as on the top-level command.
    setVersionProvider(commandLine, new Version());
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

  private static void setVersionProvider(CommandLine command, CommandLine.IVersionProvider version) {
    command.getCommandSpec().versionProvider(version);
    for (CommandLine sub : command.getSubcommands().values()) {
      setVersionProvider(sub, version);
    }
  }

  /**
   * Picocli's message for an unknown option lists the arguments after it too, which may be a secret
   * given to a mistyped flag; name only the unknown options themselves. A word where a command was
   * expected is named, with the closest command.
   */
  static String usageMessage(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
      List<String> args = unmatched.getUnmatched();
      CommandLine command = ex.getCommandLine();
      boolean expectsCommand = !command.getSubcommands().isEmpty();
      if (expectsCommand && !args.isEmpty() && !args.get(0).startsWith("-")) {
        return "unknown command '" + args.get(0) + "'" + closestCommand(args.get(0), command);
      }
      List<String> options =
          args.stream().filter(arg -> arg.startsWith("-")).map(Main::optionName).toList();
      if (options.isEmpty()) {
        return "unexpected argument";
      }
      return "unknown option"
          + (options.size() > 1 ? "s " : " ")
          + String.join(", ", options)
          + (options.size() == 1 ? suggestion(unmatched, null) : "");
    }
    // "callstream help recrod": picocli's help command names the word but suggests nothing.
    Matcher unknown = UNKNOWN_SUBCOMMAND.matcher(String.valueOf(ex.getMessage()));
    CommandLine commands = ex.getCommandLine();
    if (unknown.matches() && !commands.getSubcommands().isEmpty()) {
      return "unknown command '" + unknown.group(1) + "'" + closestCommand(unknown.group(1), commands);
    }
    return ex.getMessage();
  }

  /** {@code " (did you mean '--port'?)"} from picocli's suggestions, or nothing. */
  private static String suggestion(
      CommandLine.UnmatchedArgumentException unmatched, CommandLine commands) {
    List<String> suggestions = unmatched.getSuggestions();
    return suggestions.isEmpty() ? "" : " (did you mean '" + suggestions.get(0) + "'?)";
  }

  /**
   * {@code " (did you mean 'start'?)"} for the command at the fewest typing edits (a swap of two
   * neighbours counts as one: "strat" is "start", not picocli's "stop"), or the list of commands
   * when none is close.
   */
  static String closestCommand(String typed, CommandLine command) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : command.getSubcommands().keySet()) {
      int distance = editDistance(typed.toLowerCase(java.util.Locale.ROOT), name);
      if (distance < bestDistance) {
        best = name;
        bestDistance = distance;
      }
    }
    if (best != null && bestDistance <= Math.max(1, Math.min(best.length(), typed.length()) / 2)) {
      return " (did you mean '" + best + "'?)";
    }
    return "; commands: " + String.join(", ", command.getSubcommands().keySet());
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /**
   * A command that only groups subcommands, run without one: a usage error (one line, exit 2),
   * the same rule for {@code callstream}, {@code callstream profile} and {@code callstream stream}.
   */
  static CommandLine.ParameterException missingCommand(CommandLine.Model.CommandSpec spec) {
    List<String> names =
        spec.subcommands().keySet().stream().filter(name -> !name.equals("help")).toList();
    String choices =
        names.size() < 2
            ? String.join("", names)
            : String.join(", ", names.subList(0, names.size() - 1))
                + " or "
                + names.get(names.size() - 1);
    return new CommandLine.ParameterException(
        spec.commandLine(), "missing command: " + choices);
  }

  private static String optionName(String arg) {
    int equals = arg.indexOf('=');
    return "'" + (equals < 0 ? arg : arg.substring(0, equals)) + "'";
  }

  @Override
  public void run() {
    throw missingCommand(spec);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"callstream " + (version == null ? "dev" : version)};
    }
  }
}
