package dev.callstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code callstream record}: see CONTRACTS.md. */
@Command(name = "record", mixinStandardHelpOptions = true, description = "TODO")
final class RecordCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("TODO");
  }
}
