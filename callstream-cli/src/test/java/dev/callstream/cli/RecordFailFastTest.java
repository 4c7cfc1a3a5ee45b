package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import okhttp3.tls.HeldCertificate;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code record} refuses at start what would fail later (an unwritable recordings directory,
 * files that are not PEM), takes secrets from files and the environment, and keeps stderr to
 * what matters.
 */
class RecordFailFastTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private RecordServer server;
  private RecordTestProcess child;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (child != null) {
      child.destroyIfAlive();
    }
  }

  private int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  /** The parsed command, with {@code environment} in place of the JVM's. */
  private RecordCommand parse(Map<String, String> environment, String... flags) {
    List<String> args = new ArrayList<>(List.of("record", "--port", "0"));
    if (!List.of(flags).contains("--recordings")) {
      args.addAll(List.of("--recordings", dir.resolve("rec").toString()));
    }
    args.addAll(List.of(flags));
    CommandLine.ParseResult parsed =
        Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
            .parseArgs(args.toArray(String[]::new));
    RecordCommand command = (RecordCommand) parsed.subcommand().commandSpec().userObject();
    command.environment = environment;
    return command;
  }

  @Test
  void anUnwritableRecordingsDirectoryIsRefusedAtStartWithOneLine() throws Exception {
    Path target;
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root) {
      target = Files.createDirectory(dir.resolve("read-only"));
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r-xr-xr-x"));
    } else {
      // root may write anywhere a mode allows nothing; /proc/self refuses new files even to root.
      target = Path.of("/proc/self");
      assumeTrue(Files.isDirectory(target), "needs Linux /proc");
    }

    int exit = run("record", "--port", "0", "--tls", "none", "--recordings", target.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).as("no listening line").isEmpty();
    assertThat(err.toString().lines()).hasSize(1).first().asString()
        .startsWith("error: --recordings is not writable: " + target);
  }

  @Test
  void aMissingRecordingsDirectoryIsCreatedAndProbedWithoutLeavingAFile() throws Exception {
    Path fresh = dir.resolve("a/b/c");

    RecordServer.Settings settings = parse(Map.of(), "--recordings", fresh.toString()).settings();

    assertThat(settings.recordings()).isEqualTo(fresh);
    assertThat(fresh).isDirectory().isEmptyDirectory();
  }

  @Test
  void aCertificateOrKeyFileThatIsNotPemNamesTheFileAndExitsOne() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "this is not a certificate\n");
    Path badBase64 = Files.writeString(dir.resolve("bad64.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA!!notbase64\n-----END CERTIFICATE-----\n");
    Path notACertificate = Files.writeString(dir.resolve("random.pem"),
        "-----BEGIN CERTIFICATE-----\n" + Base64.getEncoder().encodeToString(new byte[64])
            + "\n-----END CERTIFICATE-----\n");
    Path encryptedKey = Files.writeString(dir.resolve("enc.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    Path goodCert = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE",
        held().certificate().getEncoded()));

    List<String[]> cases = List.of(
        new String[] {garbage.toString(), goodCert.toString(), "--cert " + garbage + ": no PEM certificate"},
        new String[] {badBase64.toString(), goodCert.toString(), "--cert " + badBase64 + ": the CERTIFICATE block is not valid base64"},
        new String[] {notACertificate.toString(), goodCert.toString(), "--cert " + notACertificate + ": certificate 1 is not a valid X.509"},
        new String[] {goodCert.toString(), garbage.toString(), "--key " + garbage + ": no unencrypted PEM private key"},
        new String[] {goodCert.toString(), encryptedKey.toString(), "an encrypted key"});
    for (String[] files : cases) {
      StringWriter errors = new StringWriter();
      int exit = Main.run(new String[] {"record", "--port", "0", "--recordings", dir.toString(),
          "--tls", "pem", "--cert", files[0], "--key", files[1]}, new PrintWriter(out, true),
          new PrintWriter(errors, true));

      assertThat(exit).as(files[2]).isEqualTo(1);
      assertThat(errors.toString().lines()).as(files[2]).hasSize(1).first().asString()
          .startsWith("error: ").contains(files[2]);
    }
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void secretsComeFromFlagsAndASecretFileElseFromTheEnvironment() throws Exception {
    Path file = Files.writeString(dir.resolve("secrets"), "# rotated monthly\nfile-secret-1\n\n  file-secret-2  \n");
    Map<String, String> environment = Map.of("CALLSTREAM_SECRET", "env-secret-1, env-secret-2");

    assertThat(parse(environment, "--secret", "flag-secret", "--secret-file", file.toString())
        .settings().secrets()).containsExactly("flag-secret", "file-secret-1", "file-secret-2");
    assertThat(parse(environment).settings().secrets())
        .containsExactly("env-secret-1", "env-secret-2");
    assertThat(parse(Map.of()).settings().secrets()).isEmpty();
  }

  @Test
  void anEmptySecretFileIsAUsageErrorThatDoesNotPrintTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("secrets"), "# nothing yet\n");

    assertThat(run("record", "--secret-file", file.toString(), "--recordings", dir.toString()))
        .isEqualTo(2);

    assertThat(err.toString().strip())
        .isEqualTo("error: --secret-file holds no secret: " + file + " (see --help)");
  }

  @Test
  void theKeystorePasswordComesFromAFileOrTheEnvironment() throws Exception {
    HeldCertificate held = held();
    KeyStore keystore = KeyStore.getInstance("PKCS12");
    keystore.load(null, null);
    keystore.setKeyEntry("server", held.keyPair().getPrivate(), "ks-pass-91".toCharArray(),
        new java.security.cert.Certificate[] {held.certificate()});
    Path file = dir.resolve("server.p12");
    try (var stream = Files.newOutputStream(file)) {
      keystore.store(stream, "ks-pass-91".toCharArray());
    }
    Path passwordFile = Files.writeString(dir.resolve("password"), "ks-pass-91\n");

    server = RecordServer.start(parse(Map.of(), "--tls", "keystore", "--keystore", file.toString(),
        "--keystore-password-file", passwordFile.toString()).settings(), new PrintWriter(out, true),
        new PrintWriter(err, true));
    assertThat(server.tls().sha256Fingerprint()).isNotNull();
    server.close();

    server = RecordServer.start(parse(Map.of("CALLSTREAM_KEYSTORE_PASSWORD", "ks-pass-91"),
        "--tls", "keystore", "--keystore", file.toString()).settings(), new PrintWriter(out, true),
        new PrintWriter(err, true));
    assertThat(server.tls().sha256Fingerprint()).isNotNull();

    assertThat(run("record", "--tls", "keystore", "--keystore", file.toString(),
        "--keystore-password", "ks-pass-91", "--keystore-password-file", passwordFile.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("not both").doesNotContain("ks-pass-91");
    assertThat(out.toString()).doesNotContain("ks-pass-91");
  }

  @Test
  void listeningIsPrintedOnceOnStdoutAndNotAgainAsALogLine() throws Exception {
    child = RecordTestProcess.start("--port", "0", "--tls", "none", "--recordings", dir.toString());
    child.awaitListening();

    assertThat(child.terminate()).isZero();

    assertThat(child.stderr.toString()).doesNotContain("listening on")
        .doesNotContain("dev.callstream.").contains("recording to ");
  }

  @Test
  void quietLeavesOnlyWarningsAndErrorsOnStderr() throws Exception {
    child = RecordTestProcess.start("--port", "0", "--tls", "none", "--quiet", "--recordings",
        dir.toString());
    child.awaitListening();

    assertThat(child.terminate()).isZero();

    assertThat(child.stderr.toString()).isEmpty();
  }

  @Test
  void logLevelDebugShowsWhatTheLibrariesLog() throws Exception {
    child = RecordTestProcess.start("--port", "0", "--tls", "none", "--log-level", "debug",
        "--recordings", dir.toString());
    child.awaitListening();

    assertThat(child.terminate()).isZero();

    // The server's own "listening on" line, hidden at the default level, is shown at debug.
    assertThat(child.stderr.toString()).contains("listening on");
  }

  /** One self-signed EC certificate: its key pair and certificate. */
  private static HeldCertificate held() {
    return new HeldCertificate.Builder().commonName("recorder.test").ecdsa256().build();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
