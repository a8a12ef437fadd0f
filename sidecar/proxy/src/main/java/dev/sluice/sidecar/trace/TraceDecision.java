package dev.sluice.sidecar.trace;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a request's trace context becomes: continued when the caller sent one valid {@code
 * traceparent} (a new span id of ours only when our span is exported), started when there is none
 * (or it is invalid, or there are several) and the rule says so, else left as it came.
 */
public final class TraceDecision {
  private TraceDecision() {}

  /**
   * The trace context of a request.
   *
   * @param fields the request's {@code traceparent} field values
   * @param settings the rule's settings
   * @param exporting spans are exported (a sampled exchange then records one)
   */
  public static ExchangeTrace decide(
      List<String> fields, TraceSettings settings, boolean exporting) {
    TraceParent caller = fields.size() == 1 ? TraceParent.parse(fields.get(0)) : null;
    if (caller != null) {
      boolean recorded = exporting && caller.sampled();
      return new ExchangeTrace(
          recorded ? caller.child() : caller, caller, recorded, false, recorded);
    }
    if (!settings.createWhenAbsent()) {
      return ExchangeTrace.NONE;
    }
    boolean sampled =
        settings.sampleRate() >= 1.0
            || (settings.sampleRate() > 0.0
                && ThreadLocalRandom.current().nextDouble() < settings.sampleRate());
    return new ExchangeTrace(TraceParent.start(sampled), null, true, true, exporting && sampled);
  }
}
