package dev.sluice.operator.pods;

import java.time.Instant;

/**
 * One selected pod as the rollout sees it (recorded on the Pod, so a new leader sees the same).
 *
 * @param name the pod's name
 * @param assigned the revision the config service hands this pod (null: none yet)
 * @param assignedAt when that assignment was made
 * @param applied the revision its sidecar last reported applied (null: none)
 * @param rejected the revision its sidecar last rejected (null: none)
 * @param rejectReason the sidecar's reason for that rejection
 */
public record PodRollout(
    String name,
    String assigned,
    Instant assignedAt,
    String applied,
    String rejected,
    String rejectReason) {}
