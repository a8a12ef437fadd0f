package dev.sluice.operator.render;

import dev.sluice.sidecar.config.SidecarConfig;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A pod's rendered config and what was left out of it and why.
 *
 * @param config the snapshot, with its content-hash revision (null when the sidecar's validation
 *     would refuse it)
 * @param problems objects (or parts) left out, each naming field and value
 */
public record Rendering(@Nullable SidecarConfig config, List<RenderProblem> problems) {
  public Rendering {
    problems = List.copyOf(problems);
  }
}
