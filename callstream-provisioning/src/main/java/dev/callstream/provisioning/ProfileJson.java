package dev.callstream.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callstream.provisioning.internal.StreamingUrls;

/**
 * Request validation and the JSON form of {@link StreamingProfile}. Written by hand rather than
 * by data binding so that a caller's ObjectMapper configuration (naming strategy, coercion rules)
 * cannot change the wire format or the tolerance of the reader.
 */
final class ProfileJson {
  private ProfileJson() {}

  /** The required list of CreateProductReq, and the streamingUrl rule. */
  static void requireCreatable(StreamingProfile profile) {
    requireKey(profile.subAccountId(), profile.productType(), profile.productId());
    requireText("mainAccountId", profile.mainAccountId());
    requireText("rcAccountId", profile.rcAccountId());
    StreamingUrls.requireValid(profile.streamingUrl());
  }

  /** The required list of UpdateProductReq, and the streamingUrl rule. */
  static void requireUpdatable(StreamingProfile profile) {
    requireKey(profile.subAccountId(), profile.productType(), profile.productId());
    StreamingUrls.requireValid(profile.streamingUrl());
  }

  /** What identifies a profile: the path parameters of get and delete. */
  static void requireKey(String subAccountId, ProductType productType, Integer productId) {
    requireText("subAccountId", subAccountId);
    if (productType == null) {
      throw new IllegalArgumentException("productType is required");
    }
    if (productId == null) {
      throw new IllegalArgumentException("productId is required");
    }
  }

  private static void requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
  }

  /** The request body: every non-null field, productId as a number. */
  static ObjectNode toJson(StreamingProfile profile) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("productType", profile.productType().name());
    json.put("productId", profile.productId());
    json.put("subAccountId", profile.subAccountId());
    putIfPresent(json, "mainAccountId", profile.mainAccountId());
    putIfPresent(json, "rcAccountId", profile.rcAccountId());
    json.put("streamingUrl", profile.streamingUrl());
    putIfPresent(json, "secret", profile.secret());
    return json;
  }

  private static void putIfPresent(ObjectNode json, String name, String value) {
    if (value != null) {
      json.put(name, value);
    }
  }

  /**
   * Reads a ProductResponse leniently: unknown fields ignored, ids as numbers or strings, product
   * type in any case.
   *
   * @throws ProvisioningException if the body is not an object or a field cannot be read
   */
  static StreamingProfile fromJson(JsonNode json, String operation) {
    if (!json.isObject()) {
      throw new ProvisioningException(
          operation + ": expected a JSON object in the response, got " + json.getNodeType());
    }
    String productType = text(json, "productType");
    ProductType type;
    try {
      type = productType == null ? null : ProductType.parse(productType);
    } catch (IllegalArgumentException unknown) {
      throw new ProvisioningException(operation + ": unknown productType in the response");
    }
    return new StreamingProfile(
        type,
        productId(json, operation),
        text(json, "subAccountId"),
        text(json, "mainAccountId"),
        text(json, "rcAccountId"),
        text(json, "streamingUrl"),
        text(json, "secret"));
  }

  private static Integer productId(JsonNode json, String operation) {
    JsonNode field = json.get("productId");
    if (field == null || field.isNull()) {
      return null;
    }
    if (field.isIntegralNumber() && field.canConvertToInt()) {
      return field.intValue();
    }
    if (field.isTextual()) {
      try {
        return Integer.valueOf(field.textValue().trim());
      } catch (NumberFormatException notANumber) {
        // Reported below.
      }
    }
    throw new ProvisioningException(operation + ": productId in the response is not an int32");
  }

  private static String text(JsonNode json, String name) {
    JsonNode field = json.get(name);
    return field == null || field.isNull() || !field.isValueNode() ? null : field.asText();
  }
}
