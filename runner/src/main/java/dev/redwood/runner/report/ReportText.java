package dev.redwood.runner.report;

import java.util.regex.Pattern;

/**
 * Text that goes into a run report: escaped for HTML, without URL query strings and without the
 * values of credential settings, since a report is a file people pass around.
 */
final class ReportText {
  /**
   * A URL's query string: task log URLs and Batch failure messages may carry a SAS token there, and
   * a report is a file people pass around.
   */
  private static final Pattern QUERY =
      Pattern.compile("(\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s?\"'<>]*)\\?[^\\s\"'<>]*");

  /**
   * A credential in a connection string or a stray SAS: a task's log tail (part of a failure
   * message) holds whatever the user's code printed.
   */
  private static final Pattern CREDENTIAL =
      Pattern.compile(
          "(?i)\\b(AccountKey|SharedAccessSignature|sig|password|client_secret|clientSecret)=[^;&\\s\"'<>]+");

  private ReportText() {}

  /**
   * {@code text} with every URL's query string cut off and every credential value replaced; null
   * stays null.
   */
  static String withoutQueries(String text) {
    if (text == null) {
      return null;
    }
    String s = QUERY.matcher(text).replaceAll("$1");
    return CREDENTIAL.matcher(s).replaceAll("$1=<removed>");
  }

  /** Escapes text for HTML element content and attribute values. */
  static String html(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
