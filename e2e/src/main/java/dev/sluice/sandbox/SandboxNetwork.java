package dev.sluice.sandbox;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The loopback addresses a sandbox gives its pods ({@code 127.N.10.x}), its backends and agents
 * ({@code 127.N.20.x}), the further replicas of a scaled backend ({@code 127.N.30.x}) and the demo
 * clients that must be told apart by address ({@code 127.N.40.x}). Pods and Services listen on
 * fixed ports, as in a cluster, so two sandboxes on one machine need different {@code N}: the
 * interactive sandbox uses 0 (the addresses its narration and the README print), tests a random
 * one.
 *
 * @param octet the second octet of every address, 0 to 254
 */
record SandboxNetwork(int octet) {
  /** What {@code java -jar sluice-sandbox.jar} uses. */
  static final SandboxNetwork DEFAULT = new SandboxNetwork(0);

  SandboxNetwork {
    if (octet < 0 || octet > 254) {
      throw new IllegalArgumentException(
          "sandbox network octet " + octet + " (expected: 0 to 254)");
    }
  }

  /** A network of its own for one test run: concurrent runs on one machine do not collide. */
  static SandboxNetwork random() {
    return new SandboxNetwork(ThreadLocalRandom.current().nextInt(1, 255));
  }

  /** The address of the {@code n}th pod (from 1). */
  String pod(int n) {
    return "127." + octet + ".10." + n;
  }

  /** The address of the {@code n}th backend or agent Service (from 1). */
  String service(int n) {
    return "127." + octet + ".20." + n;
  }

  /**
   * The address of the {@code n}th further replica of a scaled backend (from 1; its first replica
   * has the Service's address): each replica a pod of its own, with an IP of its own.
   */
  String backend(int n) {
    if (n < 1 || n > 254) {
      throw new IllegalArgumentException("backend replica " + n + " (expected: 1 to 254)");
    }
    return "127." + octet + ".30." + n;
  }

  /**
   * The address of the {@code n}th demo client (from 1) that a sidecar must tell from the others by
   * its address (a per-client rate limit).
   */
  String client(int n) {
    if (n < 1 || n > 254) {
      throw new IllegalArgumentException("client " + n + " (expected: 1 to 254)");
    }
    return "127." + octet + ".40." + n;
  }
}
