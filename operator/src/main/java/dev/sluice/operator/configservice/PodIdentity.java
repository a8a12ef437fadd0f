package dev.sluice.operator.configservice;

import org.jspecify.annotations.Nullable;

/**
 * Who a sidecar is, as its pod's ServiceAccount token says (TokenReview).
 *
 * @param namespace the pod's namespace
 * @param serviceAccount the pod's ServiceAccount
 * @param pod the pod's name (bound tokens name the pod they were issued for)
 * @param podUid the pod's UID; absent when the token's extra fields do not carry it
 */
public record PodIdentity(
    String namespace, String serviceAccount, String pod, @Nullable String podUid) {}
