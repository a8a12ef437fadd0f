package dev.sluice.spop;

/** An action in an ACK: the only way an agent changes anything. */
public sealed interface Action {
  int SET_VAR = 1;
  int UNSET_VAR = 2;

  Scope scope();

  /** Variable name without scope or prefix (the client adds them). */
  String name();

  static Action set(Scope scope, String name, SpopValue value) {
    return new SetVar(scope, name, value);
  }

  static Action unset(Scope scope, String name) {
    return new UnsetVar(scope, name);
  }

  /** set-var: type 1, three arguments (scope, name, value). A NULL value unsets. */
  record SetVar(Scope scope, String name, SpopValue value) implements Action {}

  /** unset-var: type 2, two arguments (scope, name). */
  record UnsetVar(Scope scope, String name) implements Action {}
}
