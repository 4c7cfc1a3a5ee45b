package dev.callstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code callstream send}: see CONTRACTS.md. */
@Command(name = "send", mixinStandardHelpOptions = true, description = "TODO")
final class SendCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("TODO");
  }
}
