package dev.sluice.sidecar.mirror;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;

/** A rule's mirrors: the copies each request gets, at most one per mirror. */
public final class Mirrors {
  /** A rule without mirrors. */
  public static final Mirrors NONE = new Mirrors(List.of());

  private final List<Mirror> mirrors;

  public Mirrors(List<Mirror> mirrors) {
    this.mirrors = List.copyOf(mirrors);
  }

  public boolean isEmpty() {
    return mirrors.isEmpty();
  }

  /**
   * The copies of one request on {@code loop}: one per mirror whose share it falls in and whose
   * upstream has a permit free (a sampled request without one is dropped and counted {@code
   * dropped_full}). Each copy owns its permit until it ends.
   */
  public List<MirrorCopy> copies(EventLoop loop) {
    if (mirrors.isEmpty()) {
      return List.of();
    }
    List<MirrorCopy> copies = new ArrayList<>(mirrors.size());
    for (Mirror mirror : mirrors) {
      if (!mirror.sampled()) {
        continue;
      }
      if (mirror.permits.tryAcquire()) {
        copies.add(new MirrorCopy(mirror, loop));
      } else {
        mirror.count(MirrorCopy.Result.DROPPED_FULL);
      }
    }
    return copies;
  }
}
