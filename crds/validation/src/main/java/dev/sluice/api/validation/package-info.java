/**
 * The CRDs' own text as the one source of truth for what a valid ProxyRoute or OffloadAgent is:
 * defaults, unknown fields, the structural openAPIV3Schema checks and the x-kubernetes-validations
 * CEL rules, evaluated as kube-apiserver 1.32 does. The operator checks stored objects with it (one
 * stored before a CRD upgrade) and the embedded API used by tests admits writes with it.
 */
@NullMarked
package dev.sluice.api.validation;

import org.jspecify.annotations.NullMarked;
