package dev.sluice.sidecar.offload;

/**
 * An offload agent's health as this sidecar sees it, for the operator (the OffloadAgent's {@code
 * Available} condition).
 *
 * @param endpoints endpoints configured
 * @param available endpoints whose last SPOP health check passed
 */
public record AgentHealth(int endpoints, int available) {}
