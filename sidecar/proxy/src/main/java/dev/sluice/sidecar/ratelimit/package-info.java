/**
 * Local rate limits: a token bucket per rule or per client address ({@link
 * dev.sluice.sidecar.ratelimit.RateLimiter}), shared by every event loop and kept across reloads
 * that leave a rule's limit as it was ({@link dev.sluice.sidecar.ratelimit.RateLimits}).
 */
package dev.sluice.sidecar.ratelimit;
