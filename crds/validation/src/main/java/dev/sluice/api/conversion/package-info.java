/**
 * ProxyRoute's versions converted into each other, as the operator's conversion webhook and the
 * embedded API do it: v1alpha1 (stored, what the operator reads) and v1alpha2 (rules in HTTPRoute's
 * shape). Each direction has a canonical mapping that keeps the meaning; an annotation keeps the
 * input when the way back would not give it exactly, so a GitOps tool reading what it applied sees
 * no drift. See docs/design/20261207-proxyroute-v1alpha2.md.
 */
@NullMarked
package dev.sluice.api.conversion;

import org.jspecify.annotations.NullMarked;
