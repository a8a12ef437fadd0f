/**
 * Gateway API attachment: {@code gateway.networking.k8s.io/v1} HTTPRoutes whose {@code parentRefs}
 * name a ProxyRoute supply rules to it, as routes attach to a Gateway's listener. The ProxyRoute
 * supplies the listener, the pods and the rollout; {@link HttpRouteAttachments} turns a namespace's
 * HTTPRoutes into the rules each ProxyRoute gets (in Gateway API's precedence) and the {@code
 * status.parents} entries this controller owns ({@link ParentStatuses}, written by {@link
 * ParentStatusWriter}).
 */
@NullMarked
package dev.sluice.operator.gateway;

import org.jspecify.annotations.NullMarked;
