package dev.redwood.runner.batch.azure.restdouble;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A Batch error response: HTTP status, error code, message and detail values. */
final class ApiException extends Exception {
  final int status;
  final String code;
  final List<Map.Entry<String, String>> values = new ArrayList<>();
  final Map<String, String> headers = new java.util.LinkedHashMap<>();

  ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  ApiException value(String key, String value) {
    values.add(Map.entry(key, value));
    return this;
  }

  ApiException header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  static ApiException missingProperty(String name) {
    return badRequest(
            "MissingRequiredProperty", "A required property was not specified in the request body.")
        .value("PropertyName", name);
  }

  static ApiException invalidProperty(String name, String reason) {
    return badRequest(
            "InvalidPropertyValue",
            "The value provided for one of the properties in the request body is invalid.")
        .value("PropertyName", name)
        .value("Reason", reason);
  }

  static ApiException invalidQuery(String name, String reason) {
    return badRequest(
            "InvalidQueryParameterValue",
            "Value for one of the query parameters specified in the request URI is invalid.")
        .value("QueryParameterName", name)
        .value("Reason", reason);
  }

  static ApiException notFound(String code, String message) {
    return new ApiException(404, code, message);
  }

  static ApiException conflict(String code, String message) {
    return new ApiException(409, code, message);
  }
}
