/**
 * The sidecar's logging: logback set up in code ({@link
 * dev.sluice.sidecar.logging.SidecarLogConfigurator}), one line per event on standard error.
 */
package dev.sluice.sidecar.logging;
