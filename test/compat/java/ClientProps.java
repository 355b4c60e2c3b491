import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Extra client settings for the helpers, from the properties file named by COMPAT_CLIENT_PROPERTIES
 * (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.*): how Java applications
 * are pointed at an authenticated cluster, without a flag per setting.
 */
final class ClientProps {
  private ClientProps() {}

  static void addFromEnv(Properties props) {
    String file = System.getenv("COMPAT_CLIENT_PROPERTIES");
    if (file == null || file.isEmpty()) return;
    Properties extra = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(file))) {
      extra.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("COMPAT_CLIENT_PROPERTIES: cannot read " + file, e);
    }
    props.putAll(extra);
  }
}
