package dev.redwood.runner.report;

import java.util.regex.Pattern;

/** Text that goes into a run report: escaped for HTML, and without URL query strings. */
final class ReportText {
  /**
   * A URL's query string: task log URLs and Batch failure messages may carry a SAS token there, and
   * a report is a file people pass around.
   */
  private static final Pattern QUERY =
      Pattern.compile("(\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s?\"'<>]*)\\?[^\\s\"'<>]*");

  private ReportText() {}

  /** {@code text} with every URL's query string cut off; null stays null. */
  static String withoutQueries(String text) {
    return text == null ? null : QUERY.matcher(text).replaceAll("$1");
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
