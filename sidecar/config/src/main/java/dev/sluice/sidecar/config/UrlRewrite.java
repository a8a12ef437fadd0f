package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * What the request sent upstream has instead of the client's host and path (Gateway API's {@code
 * URLRewrite}, contract 4).
 *
 * @param hostname replaces {@code Host} (HTTP/1.1) or {@code :authority} (HTTP/2) sent upstream;
 *     null keeps the client's
 * @param path replaces the path sent upstream; null keeps it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UrlRewrite(@Nullable String hostname, @Nullable PathModifier path) {}
