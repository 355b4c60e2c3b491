import java.nio.charset.StandardCharsets;

/** Just enough JSON writing for one-line records; keeps the helpers free of extra jars. */
final class Json {
  private Json() {}

  static String str(byte[] bytes) {
    return bytes == null ? "null" : str(new String(bytes, StandardCharsets.UTF_8));
  }

  static String str(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }
}
