package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * What a sidecar did with an endpoint document ({@link ClusterEndpoints}), posted to {@code
 * <base>/endpoints/status}: the ACK ({@code Applied}) or NACK ({@code Rejected}, with the reason;
 * the sidecar keeps the endpoints it had).
 *
 * @param version the document's version (for a document that could not be read: its {@code version}
 *     field when it has one, else the hash of its text)
 * @param outcome Applied or Rejected
 * @param reason why it was rejected; null when applied
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointsReport(
    String version, SidecarReport.Outcome outcome, @Nullable String reason) {
  public static EndpointsReport applied(String version) {
    return new EndpointsReport(version, SidecarReport.Outcome.Applied, null);
  }

  public static EndpointsReport rejected(String version, String reason) {
    return new EndpointsReport(version, SidecarReport.Outcome.Rejected, reason);
  }
}
