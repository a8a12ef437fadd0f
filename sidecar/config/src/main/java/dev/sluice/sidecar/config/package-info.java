/**
 * The operator-sidecar contract: {@link dev.sluice.sidecar.config.SidecarConfig} is the resolved
 * snapshot the operator renders for one pod (or a user writes for standalone mode) and the sidecar
 * runs; {@link dev.sluice.sidecar.config.SidecarReport} is what a sidecar says back.
 *
 * <p>Everything here is plain data plus its codec and validator; this module depends on Jackson
 * only, so both sides can use it without pulling in Kubernetes or Netty. Records apply defaults in
 * their constructors, so a parsed config is complete and its canonical JSON (and so its revision)
 * does not depend on whether a default was spelled out.
 *
 * <p>The contract is versioned ({@link dev.sluice.sidecar.config.ContractVersions}): {@link
 * dev.sluice.sidecar.config.ContractFields} tags each field a later version added, so the operator
 * renders for the version a sidecar speaks and a sidecar reads a newer operator's config through
 * {@link dev.sluice.sidecar.config.ConfigDecoder}.
 */
package dev.sluice.sidecar.config;
