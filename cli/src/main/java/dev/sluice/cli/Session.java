package dev.sluice.cli;

import java.io.PrintWriter;
import java.time.Clock;

/**
 * Where a command writes and what time it is: the terminal's streams and the system clock from
 * {@code main}, buffers and a fixed clock in tests.
 *
 * @param out results (tables, JSON, YAML)
 * @param err diagnostics and failures
 * @param clock now, for ages and expiry
 */
public record Session(PrintWriter out, PrintWriter err, Clock clock) {}
