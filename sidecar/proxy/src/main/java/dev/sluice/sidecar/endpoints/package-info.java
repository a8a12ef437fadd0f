/**
 * Endpoints that change without a reload: the sidecar's one {@link
 * dev.sluice.sidecar.endpoints.EndpointTable}, each upstream's {@link
 * dev.sluice.sidecar.endpoints.EndpointSet} (which endpoints serve, by Kubernetes' conditions) and
 * the balancers every event loop shares.
 */
package dev.sluice.sidecar.endpoints;
