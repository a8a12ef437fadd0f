/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) at the sidecar: a request's {@code
 * traceparent} read and checked ({@link dev.sluice.sidecar.trace.TraceParent}), kept, or a trace
 * started where there is none ({@link dev.sluice.sidecar.trace.TraceDecision}), the trace id handed
 * to the access log and the offload agents, and, when span export is on, one span per exchange.
 */
@NullMarked
package dev.sluice.sidecar.trace;

import org.jspecify.annotations.NullMarked;
