package dev.callstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code callstream profile}: see CONTRACTS.md. */
@Command(name = "profile", mixinStandardHelpOptions = true, description = "TODO")
final class ProfileCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("TODO");
  }
}
