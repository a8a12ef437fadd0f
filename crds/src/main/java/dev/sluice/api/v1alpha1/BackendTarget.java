package dev.sluice.api.v1alpha1;

import dev.sluice.api.v1alpha1.Backend.BackendProtocol;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What a rule sends to: a Service port or static endpoints, and how the sidecar speaks to it. */
public interface BackendTarget {
  @Nullable ServiceReference service();

  @Nullable List<String> endpoints();

  @Nullable BackendProtocol protocol();

  @Nullable BackendTls tls();
}
