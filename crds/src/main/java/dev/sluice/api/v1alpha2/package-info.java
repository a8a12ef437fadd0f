/**
 * Version {@code v1alpha2} of {@code sluice.dev}'s ProxyRoute: its rules in Gateway API's {@code
 * HTTPRoute} shape (matches, filters, weighted backendRefs, timeouts) with Sluice's extensions,
 * around the same selector, listener, rollout, access-log and tracing settings as v1alpha1, whose
 * types it shares. Served, not stored: the API server keeps v1alpha1 and converts through the
 * operator's webhook ({@code dev.sluice.api.conversion}); see
 * docs/design/20261207-proxyroute-v1alpha2.md.
 */
package dev.sluice.api.v1alpha2;
