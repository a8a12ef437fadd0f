package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * Agent timeouts.
 *
 * @param hello longest wait for AGENT-HELLO (default 2s)
 * @param idle how long an unused connection stays open (default 30s)
 * @param processing budget of one event, enforced by a timer (required)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpopTimeouts(Duration hello, Duration idle, Duration processing) {

  public SpopTimeouts {
    hello = hello == null ? Duration.ofSeconds(2) : hello;
    idle = idle == null ? Duration.ofSeconds(30) : idle;
  }
}
