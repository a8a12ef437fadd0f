/**
 * Work an event loop hands off and never waits for: a bounded queue it offers to (full: dropped and
 * counted), drained in batches by a thread of its own ({@link
 * dev.sluice.sidecar.batch.BatchQueue}). The access log and span export both use it.
 */
@NullMarked
package dev.sluice.sidecar.batch;

import org.jspecify.annotations.NullMarked;
