/**
 * A rule's weighted backends (Gateway API's weighted {@code backendRefs}): one {@link
 * dev.sluice.sidecar.backends.Backend} chosen per request by weight, its lease source the pool of
 * its upstream; an unresolved backend answers 500 naming why.
 */
package dev.sluice.sidecar.backends;
