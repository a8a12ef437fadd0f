/**
 * Request mirroring (Gateway API's {@code RequestMirror}): a rule's mirrors, the share of requests
 * each copies, the bound on copies in flight per mirror upstream, and one copy's way to its mirror
 * ({@link dev.sluice.sidecar.mirror.MirrorCopy}): fire and forget, never felt by the request it
 * copies.
 */
package dev.sluice.sidecar.mirror;
