package dev.sluice.sidecar.backends;

import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.upstream.LeaseSource;
import org.jspecify.annotations.Nullable;

/**
 * The backend chosen for one request.
 *
 * @param label which of the rule's backends, as metrics say it: its index in {@code backends}, or
 *     {@code upstream} for a rule with one upstream
 * @param source where its leases come from (the pool of its upstream); one that never leases for an
 *     unavailable backend, which is answered before any lease is asked for
 * @param protocol its upstream's protocol
 * @param unavailable the sentence a request sent to it is answered 500 with; null when it serves
 */
public record Backend(
    String label, LeaseSource source, Upstream.Protocol protocol, @Nullable String unavailable) {}
