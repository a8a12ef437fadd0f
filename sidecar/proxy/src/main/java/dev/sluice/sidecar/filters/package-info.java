/**
 * Gateway API's filters on the data plane: header modifiers compiled for the one pass that writes
 * an outgoing head ({@link dev.sluice.sidecar.filters.HeaderEdits}), path rewrites ({@link
 * dev.sluice.sidecar.filters.PathRewrite}) and redirect locations ({@link
 * dev.sluice.sidecar.filters.RedirectLocation}). Pure functions of a rule and a request; the
 * exchange applies them.
 */
@NullMarked
package dev.sluice.sidecar.filters;

import org.jspecify.annotations.NullMarked;
