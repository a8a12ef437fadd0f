package dev.sluice.operator.render;

import dev.sluice.sidecar.config.SidecarConfig;
import java.util.List;

/**
 * A pod's rendered config and what was left out of it and why.
 *
 * @param config the snapshot, with its content-hash revision
 * @param problems objects (or parts) left out, each naming field and value
 */
public record Rendering(SidecarConfig config, List<RenderProblem> problems) {
  public Rendering {
    problems = List.copyOf(problems);
  }
}
