package dev.callstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.callstream.core.Secrets;
import dev.callstream.provisioning.ApiException;
import dev.callstream.provisioning.ProductType;
import dev.callstream.provisioning.ProvisioningException;
import dev.callstream.provisioning.StreamingProfile;
import dev.callstream.provisioning.StreamingProfileClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code callstream profile create|update|get|delete}: the RingCX streaming-profile API, see
 * CONTRACTS.md section 4. Exit 0 with the response JSON on stdout ({@code secret} masked), 1 on an
 * HTTP or transport error, 2 on a usage error (including a {@code streamingUrl} that is not {@code
 * wss://host[:port]}, refused before any request).
 */
@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    description = {
      "Manage the streaming profile of a queue or campaign.",
      "Create, update, read or delete the profile that tells RingCX where to stream the audio of"
          + " the queue's or campaign's calls.",
      "Authenticate with --token (or env RINGCX_TOKEN), a RingCX access token, or with --rc-token"
          + " (or env RC_ACCESS_TOKEN), a RingCentral access token exchanged at"
          + " <base-url>/api/auth/login/rc/accesstoken.",
      "Prints the response JSON on stdout with any secret shown as \"***\". Exit codes: 0 done,"
          + " 1 HTTP or network error (\"error: HTTP <status> <reason>\" and the server's message on"
          + " stderr), 2 usage error."
    },
    subcommands = {
      ProfileCommand.Create.class,
      ProfileCommand.Update.class,
      ProfileCommand.Get.class,
      ProfileCommand.Delete.class
    })
final class ProfileCommand implements Callable<Integer> {
  static final String ENV_RINGCX_TOKEN = "RINGCX_TOKEN";
  static final String ENV_RC_ACCESS_TOKEN = "RC_ACCESS_TOKEN";
  private static final String MASK = "***";

  @Spec CommandSpec spec;

  /** Where {@code RINGCX_TOKEN} and {@code RC_ACCESS_TOKEN} are read; tests replace it. */
  Map<String, String> environment = System.getenv();

  private final ObjectMapper mapper = new ObjectMapper();

  @Override
  public Integer call() {
    throw Main.missingCommand(spec);
  }

  /** Where to send requests and how to authenticate. */
  static final class Connection {
    @Option(
        names = "--base-url",
        paramLabel = "URL",
        defaultValue = StreamingProfileClient.DEFAULT_BASE_URL,
        description =
            "RingCX host for the API and the token exchange (default: ${DEFAULT-VALUE};"
                + " legacy: https://engage.ringcentral.com).")
    String baseUrl;

    @Option(
        names = "--token",
        paramLabel = "T",
        description = "RingCX access token (default: env " + ENV_RINGCX_TOKEN + ").")
    String token;

    @Option(
        names = "--rc-token",
        paramLabel = "T",
        description =
            "RingCentral access token to exchange for a RingCX token (default: env "
                + ENV_RC_ACCESS_TOKEN
                + ").")
    String rcToken;
  }

  /** What identifies a profile: every subcommand needs these. */
  static final class Key {
    @Option(
        names = "--product-type",
        paramLabel = "QUEUE|CAMPAIGN",
        required = true,
        converter = ProductTypeConverter.class,
        description = "QUEUE (inbound) or CAMPAIGN (outbound); any case.")
    ProductType productType;

    @Option(
        names = "--product-id",
        paramLabel = "N",
        required = true,
        description = "The queue's or campaign's id.")
    int productId;

    @Option(
        names = "--sub-account",
        paramLabel = "ID",
        required = true,
        description = "RingCX sub-account id.")
    String subAccount;
  }

  /** The body of create and update. */
  static final class Fields {
    @Option(
        names = "--main-account",
        paramLabel = "ID",
        description = "RingCX main account id (required by create).")
    String mainAccount;

    @Option(
        names = "--rc-account",
        paramLabel = "ID",
        description = "RingCentral account id (required by create).")
    String rcAccount;

    @Option(
        names = "--streaming-url",
        paramLabel = "wss://host[:port]",
        required = true,
        description = "Where the platform streams audio: wss://, a host, an optional port, no path.")
    String streamingUrl;

    @Option(
        names = "--secret",
        paramLabel = "S",
        description = "Optional shared secret the platform presents to your server.")
    String secret;

    StreamingProfile profile(Key key) {
      return StreamingProfile.builder()
          .productType(key.productType)
          .productId(key.productId)
          .subAccountId(key.subAccount)
          .mainAccountId(mainAccount)
          .rcAccountId(rcAccount)
          .streamingUrl(streamingUrl)
          .secret(secret)
          .build();
    }
  }

  /** What every subcommand has: its parent, the connection and log flags, and the profile's key. */
  abstract static class Subcommand implements Callable<Integer> {
    @ParentCommand ProfileCommand parent;
    @Spec CommandSpec spec;
    @Mixin Connection connection;
    @Mixin LogOptions logOptions;
    @Mixin Key key;
  }

  static final class ProductTypeConverter implements CommandLine.ITypeConverter<ProductType> {
    @Override
    public ProductType convert(String value) {
      try {
        return ProductType.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("must be QUEUE or CAMPAIGN");
      }
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a profile (POST /platform/api/media/product). Needs every field but"
          + " --secret.")
  static final class Create extends Subcommand {
    @Mixin Fields fields;

    @Override
    public Integer call() {
      requireOption(spec, fields.mainAccount, "--main-account");
      requireOption(spec, fields.rcAccount, "--rc-account");
      StreamingProfile profile = fields.profile(key);
      return parent.run(spec, connection, fields.secret, client -> parent.asJson(client.createJson(profile)));
    }
  }

  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = "Update a profile (PUT /platform/api/media/product). Fields not given are left"
          + " out of the request.")
  static final class Update extends Subcommand {
    @Mixin Fields fields;

    @Override
    public Integer call() {
      StreamingProfile profile = fields.profile(key);
      return parent.run(spec, connection, fields.secret, client -> parent.asJson(client.updateJson(profile)));
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Print a profile (GET /platform/api/media/product/account/{sub-account}/type/"
          + "{product-type}/id/{product-id}).")
  static final class Get extends Subcommand {
    @Override
    public Integer call() {
      return parent.run(
          spec,
          connection,
          null,
          client -> parent.asJson(client.getJson(key.subAccount, key.productType, key.productId)));
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = {
        "Delete a profile (DELETE /platform/api/media/product/account/{sub-account}/type/"
            + "{product-type}/id/{product-id}).",
        "Prints the response if it is a JSON object or array; otherwise prints"
            + " {\"deleted\": true, \"subAccountId\": ..., \"productType\": ..., \"productId\": ...}"
            + " with the response text, if any, as \"message\"."
      })
  static final class Delete extends Subcommand {
    @Override
    public Integer call() {
      return parent.run(
          spec,
          connection,
          null,
          client ->
              parent.deletionResult(
                  client.delete(key.subAccount, key.productType, key.productId), key));
    }
  }

  /**
   * Picocli's own message for an unknown option repeats the arguments after it, which may be a
   * token or secret given to a mistyped flag; this one names only the unknown options.
   */
  private static void requireOption(CommandSpec spec, String value, String option) {
    if (value == null || value.isBlank()) {
      throw new ParameterException(spec.commandLine(), "Missing required option: '" + option + "'");
    }
  }

  /**
   * Builds the client, runs {@code operation} and prints its result. Usage errors (no token, an
   * invalid streaming URL or base URL) throw {@link ParameterException}: one line, exit 2.
   */
  int run(
      CommandSpec spec,
      Connection connection,
      String secret,
      Function<StreamingProfileClient, JsonNode> operation) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> secrets = new ArrayList<>();
    secrets.add(secret);
    OkHttpClient http = new OkHttpClient();
    try {
      StreamingProfileClient.Builder builder =
          StreamingProfileClient.builder()
              .baseUrl(connection.baseUrl)
              .httpClient(http);
      authenticate(spec, connection, builder, secrets);
      JsonNode result = operation.apply(builder.build());
      out.println(mask(result, secrets).toString());
      out.flush();
      return 0;
    } catch (IllegalArgumentException invalid) {
      throw new ParameterException(spec.commandLine(), invalid.getMessage(), invalid);
    } catch (ApiException e) {
      err.println("error: HTTP " + e.status() + " " + e.reason());
      if (!e.serverMessage().isEmpty()) {
        err.println(e.serverMessage());
      }
      err.flush();
      return 1;
    } catch (ProvisioningException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  /** Flags before environment; a RingCX token before a RingCentral one. */
  private void authenticate(
      CommandSpec spec,
      Connection connection,
      StreamingProfileClient.Builder builder,
      List<String> secrets) {
    Credentials credentials = Credentials.resolve(spec, connection, environment);
    secrets.add(credentials.secret());
    if (credentials.token() != null) {
      builder.token(credentials.token());
    } else {
      builder.rcAccessToken(credentials.rcToken());
    }
  }

  /**
   * The token to use, from {@code --token}/{@code --rc-token} or else {@code RINGCX_TOKEN}/{@code
   * RC_ACCESS_TOKEN}; exactly one of the two is non-null. Shared by {@code profile} and {@code
   * stream}.
   */
  record Credentials(String token, String rcToken) {
    /** Whichever of the two is set, to be masked in any output. */
    String secret() {
      return token != null ? token : rcToken;
    }

    /**
     * @throws ParameterException (exit 2) if both flags or neither flag nor variable is given
     */
    static Credentials resolve(
        CommandSpec spec, Connection connection, Map<String, String> environment) {
      if (connection.token != null && connection.rcToken != null) {
        throw new ParameterException(spec.commandLine(), "give --token or --rc-token, not both");
      }
      String token = connection.token;
      String rcToken = connection.rcToken;
      if (token == null && rcToken == null) {
        token = nonBlank(environment.get(ENV_RINGCX_TOKEN));
        rcToken = token == null ? nonBlank(environment.get(ENV_RC_ACCESS_TOKEN)) : null;
      }
      if (token == null && rcToken == null) {
        throw new ParameterException(
            spec.commandLine(),
            "no token: give --token T or set "
                + ENV_RINGCX_TOKEN
                + " (or --rc-token T / "
                + ENV_RC_ACCESS_TOKEN
                + ")");
      }
      return new Credentials(token, rcToken);
    }
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  /** The DELETE response if it is a JSON object or array, else a small JSON summary. */
  JsonNode deletionResult(String body, Key key) {
    JsonNode json = parseOrNull(body);
    if (json != null && json.isContainerNode()) {
      return json;
    }
    ObjectNode summary = mapper.createObjectNode();
    summary.put("deleted", true);
    summary.put("subAccountId", key.subAccount);
    summary.put("productType", key.productType.name());
    summary.put("productId", key.productId);
    String message = json != null && json.isTextual() ? json.textValue() : body.trim();
    if (!message.isEmpty()) {
      summary.put("message", message);
    }
    return summary;
  }

  /** The body as a tree to mask: JSON as it is, a non-JSON body as one text value, none as null. */
  JsonNode asJson(String body) {
    if (body.isBlank()) {
      return mapper.getNodeFactory().nullNode();
    }
    JsonNode json = parseOrNull(body);
    return json != null ? json : mapper.getNodeFactory().textNode(body);
  }

  private JsonNode parseOrNull(String body) {
    try {
      return body.isBlank() ? null : mapper.readTree(body);
    } catch (JsonProcessingException notJson) {
      return null;
    }
  }

  /**
   * Masks, at any depth, the value of every secret-named field ({@link Secrets#isSecretKey}: secret,
   * token, password, api key...), and any text value that contains a secret or token given on this
   * command line.
   */
  static JsonNode mask(JsonNode node, List<String> secrets) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : ((ObjectNode) node).properties()) {
        boolean secretField =
            Secrets.isSecretKey(field.getKey()) && !field.getValue().isNull();
        field.setValue(secretField ? TextNode.valueOf(MASK) : mask(field.getValue(), secrets));
      }
      return node;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        ((ArrayNode) node).set(i, mask(node.get(i), secrets));
      }
      return node;
    }
    if (node.isTextual()) {
      String text = node.textValue();
      for (String secret : secrets) {
        if (secret != null && !secret.isEmpty()) {
          text = text.replace(secret, MASK);
        }
      }
      return TextNode.valueOf(text);
    }
    return node;
  }
}
