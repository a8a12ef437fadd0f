package dev.sluice.operator.pods;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One selected pod as the rollout sees it (recorded on the Pod, so a new leader sees the same).
 *
 * @param name the pod's name
 * @param assigned the revision the config service hands this pod (null: none yet)
 * @param assignedAt when that assignment was made (null: none, or not a readable instant)
 * @param applied the revision its sidecar last reported applied (null: none)
 * @param rejected the revision its sidecar last rejected (null: none)
 * @param rejectReason the sidecar's reason for that rejection (null: none given)
 */
public record PodRollout(
    String name,
    @Nullable String assigned,
    @Nullable Instant assignedAt,
    @Nullable String applied,
    @Nullable String rejected,
    @Nullable String rejectReason) {}
