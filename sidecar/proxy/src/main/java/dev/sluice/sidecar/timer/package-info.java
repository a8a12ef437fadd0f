/**
 * Timeouts of an event loop's requests on one hashed timing wheel per loop: arming and cancelling
 * are constant-time list operations, and the loop holds a single scheduled task however many
 * requests it serves.
 */
package dev.sluice.sidecar.timer;
