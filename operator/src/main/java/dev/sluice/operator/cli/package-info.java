/** Command-line options shared by the operator's commands (the operator, check-install). */
@NullMarked
package dev.sluice.operator.cli;

import org.jspecify.annotations.NullMarked;
