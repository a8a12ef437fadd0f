package dev.sluice.sidecar.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** A config that cannot run; {@link #getMessage()} lists every problem, one per line. */
public final class InvalidConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<ConfigProblem> problems;
  private final @Nullable String revision;

  public InvalidConfigException(String source, List<ConfigProblem> problems) {
    this(source, problems, null);
  }

  private InvalidConfigException(
      String source, List<ConfigProblem> problems, @Nullable String revision) {
    super(format(source, problems));
    this.problems = List.copyOf(problems);
    this.revision = revision;
  }

  /** The same refusal of a document that declared {@code declared} as its revision. */
  InvalidConfigException of(String source, @Nullable String declared) {
    return new InvalidConfigException(source, problems, declared);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  /**
   * The revision the refused document declared, so the refusal can name it (and the config service
   * can tell which revision a sidecar refused); null when it declared none or was unreadable.
   */
  public @Nullable String revision() {
    return revision;
  }

  private static String format(String source, List<ConfigProblem> problems) {
    StringBuilder text = new StringBuilder();
    text.append(source)
        .append(": ")
        .append(problems.size())
        .append(problems.size() == 1 ? " problem" : " problems");
    for (ConfigProblem problem : problems) {
      text.append("\n  ").append(problem);
    }
    return text.toString();
  }
}
