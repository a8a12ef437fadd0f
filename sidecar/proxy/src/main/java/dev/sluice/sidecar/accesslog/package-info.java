/**
 * Access logs: one structured line per exchange that says who ended it, where and why ({@link
 * dev.sluice.sidecar.accesslog.Termination}), written off the event loop by a bounded writer that
 * drops rather than blocks ({@link dev.sluice.sidecar.accesslog.AccessLogWriter}).
 */
@NullMarked
package dev.sluice.sidecar.accesslog;

import org.jspecify.annotations.NullMarked;
