/**
 * The operator-sidecar contract, version 1: {@link dev.sluice.sidecar.config.SidecarConfig} is the
 * resolved snapshot the operator renders for one pod (or a user writes for standalone mode) and the
 * sidecar runs; {@link dev.sluice.sidecar.config.SidecarReport} is what a sidecar says back.
 *
 * <p>Everything here is plain data plus its codec and validator; this module depends on Jackson
 * only, so both sides can use it without pulling in Kubernetes or Netty. Records apply defaults in
 * their constructors, so a parsed config is complete and its canonical JSON (and so its revision)
 * does not depend on whether a default was spelled out.
 */
package dev.sluice.sidecar.config;
