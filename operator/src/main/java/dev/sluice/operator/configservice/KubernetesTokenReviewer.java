package dev.sluice.operator.configservice;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Checks tokens with the API server's TokenReview (audience {@code sluice}): the token must be
 * authenticated, for a ServiceAccount ({@code system:serviceaccount:<ns>:<sa>}), and bound to a pod
 * (the {@code authentication.kubernetes.io/pod-name} and {@code pod-uid} extras). Successful
 * reviews are cached for a minute by the token's SHA-256, so a long-polling sidecar costs one
 * TokenReview a minute, not one per request; refusals are not cached.
 */
public final class KubernetesTokenReviewer implements TokenReviewer {
  static final String AUDIENCE = "sluice";
  static final String POD_NAME = "authentication.kubernetes.io/pod-name";
  static final String POD_UID = "authentication.kubernetes.io/pod-uid";
  static final String SA_PREFIX = "system:serviceaccount:";
  static final Duration CACHE_FOR = Duration.ofMinutes(1);
  static final int MAX_CACHED = 100_000;

  private record Cached(PodIdentity identity, Instant until) {}

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public KubernetesTokenReviewer(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public PodIdentity review(String token) throws TokenRefused {
    String key = sha256(token);
    Instant now = clock.instant();
    Cached cached = cache.get(key);
    if (cached != null && cached.until().isAfter(now)) {
      return cached.identity();
    }
    TokenReview review;
    try {
      review =
          client
              .authentication()
              .v1()
              .tokenReviews()
              .create(
                  new TokenReviewBuilder()
                      .withNewSpec()
                      .withToken(token)
                      .withAudiences(AUDIENCE)
                      .endSpec()
                      .build());
    } catch (KubernetesClientException e) {
      throw new TokenRefused("the TokenReview failed: " + e.getMessage());
    }
    PodIdentity identity = identity(review);
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    cache.put(key, new Cached(identity, now.plus(CACHE_FOR)));
    return identity;
  }

  /** The pod a reviewed token belongs to, or why it does not qualify. */
  static PodIdentity identity(TokenReview review) throws TokenRefused {
    var status = review == null ? null : review.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      String error = status == null ? null : status.getError();
      throw new TokenRefused(
          "the token is not authenticated" + (error == null ? "" : ": " + error));
    }
    if (status.getAudiences() != null
        && !status.getAudiences().isEmpty()
        && !status.getAudiences().contains(AUDIENCE)) {
      throw new TokenRefused(
          "the token's audiences "
              + status.getAudiences()
              + " do not include \""
              + AUDIENCE
              + "\" (expected: the projected token the webhook mounts)");
    }
    String user = status.getUser() == null ? null : status.getUser().getUsername();
    if (user == null || !user.startsWith(SA_PREFIX) || user.split(":", -1).length != 4) {
      throw new TokenRefused(
          "the token is for \"" + user + "\" (expected: a pod's ServiceAccount token)");
    }
    String[] parts = user.split(":", -1);
    Map<String, List<String>> extra = status.getUser().getExtra();
    String pod = first(extra, POD_NAME);
    String uid = first(extra, POD_UID);
    if (pod == null) {
      throw new TokenRefused(
          "the token of "
              + user
              + " is not bound to a pod (expected: the projected token the webhook mounts)");
    }
    return new PodIdentity(parts[2], parts[3], pod, uid);
  }

  private static @Nullable String first(@Nullable Map<String, List<String>> extra, String key) {
    List<String> values = extra == null ? null : extra.get(key);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
