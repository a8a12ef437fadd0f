/**
 * What one sidecar per pod costs in memory, and the parts that keep it small: the training run that
 * the image's class archive is built from, and the idle heap trim that gives the heap back when
 * traffic stops. The JVM flags are in {@code dev/sluice/sidecar/jvm.options}; the figures in
 * docs/design/20261206-sidecar-footprint.md.
 */
package dev.sluice.sidecar.footprint;
