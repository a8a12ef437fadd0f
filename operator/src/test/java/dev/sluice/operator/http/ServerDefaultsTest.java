package dev.sluice.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class ServerDefaultsTest {
  @Test
  void keepsAnIdleConnectionPerSidecarConnectionInsteadOfTheJdks200() {
    Properties properties = new Properties();

    ServerDefaults.apply(properties);

    assertThat(Integer.parseInt(properties.getProperty(ServerDefaults.MAX_IDLE_CONNECTIONS)))
        .isGreaterThanOrEqualTo(2 * 1_000);
  }

  @Test
  void whatTheUserSetStays() {
    Properties properties = new Properties();
    properties.setProperty(ServerDefaults.MAX_IDLE_CONNECTIONS, "50");

    ServerDefaults.apply(properties);

    assertThat(properties.getProperty(ServerDefaults.MAX_IDLE_CONNECTIONS)).isEqualTo("50");
  }
}
