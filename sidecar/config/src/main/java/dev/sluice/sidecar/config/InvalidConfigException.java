package dev.sluice.sidecar.config;

import java.util.List;

/** A config that cannot run; {@link #getMessage()} lists every problem, one per line. */
public final class InvalidConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<ConfigProblem> problems;

  public InvalidConfigException(String source, List<ConfigProblem> problems) {
    super(format(source, problems));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
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
