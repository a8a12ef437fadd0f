/**
 * The user API of Sluice, group {@code sluice.dev}, version {@code v1alpha1}: {@link
 * dev.sluice.api.v1alpha1.ProxyRoute} and {@link dev.sluice.api.v1alpha1.OffloadAgent}.
 *
 * <p>The CRD YAML committed under {@code crds/} is generated from these types; every description
 * below ends up in the CRD and in {@code kubectl explain}. Spec types are immutable records; the
 * operator never mutates a spec.
 */
package dev.sluice.api.v1alpha1;
