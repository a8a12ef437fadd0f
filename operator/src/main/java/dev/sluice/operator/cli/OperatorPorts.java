package dev.sluice.operator.cli;

import picocli.CommandLine.Option;

/**
 * The operator's three ports, as the operator serves them and as {@code check-install} probes them:
 * one definition, so the check's defaults are always the ports an install listens on.
 */
public final class OperatorPorts {
  @Option(
      names = "--config-service-port",
      paramLabel = "PORT",
      description = "HTTPS port of the config service. Default: ${DEFAULT-VALUE}.")
  public int configService = 8443;

  @Option(
      names = "--webhook-port",
      paramLabel = "PORT",
      description = "HTTPS port of the injection webhook. Default: ${DEFAULT-VALUE}.")
  public int webhook = 9443;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      description = "HTTP port of /healthz, /readyz and /metrics. Default: ${DEFAULT-VALUE}.")
  public int admin = 8080;
}
