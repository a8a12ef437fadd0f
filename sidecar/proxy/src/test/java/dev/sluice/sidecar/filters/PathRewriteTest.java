package dev.sluice.sidecar.filters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.PathCondition;
import dev.sluice.sidecar.config.PathModifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gateway API's ReplacePrefixMatch table (HTTPPathModifier), row by row, and ReplaceFullPath. */
class PathRewriteTest {

  @ParameterizedTest(name = "{0} matched by {1}, prefix replaced by \"{2}\": {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/foo/bar | /foo  | /xyz  | /xyz/bar",
        "/foo/bar | /foo  | /xyz/ | /xyz/bar",
        "/foo/bar | /foo/ | /xyz  | /xyz/bar",
        "/foo/bar | /foo/ | /xyz/ | /xyz/bar",
        "/foo     | /foo  | /xyz  | /xyz",
        "/foo/    | /foo  | /xyz  | /xyz/",
        "/foo/bar | /foo  | ''    | /bar",
        "/foo/    | /foo  | ''    | /",
        "/foo     | /foo  | ''    | /",
        "/foo/    | /foo  | /     | /",
        "/foo     | /foo  | /     | /",
        "/foo/bar | /foo  | /     | /bar",
        "/foo/bar | /     | /xyz  | /xyz/foo/bar",
        "/        | /     | /xyz  | /xyz/",
      })
  void replacePrefixMatchFollowsGatewayApisTable(
      String path, String prefix, String replacement, String expected) {
    assertThat(
            PathRewrite.apply(
                path,
                new PathModifier(PathModifier.Type.ReplacePrefixMatch, replacement),
                new PathCondition(PathCondition.Type.Prefix, prefix)))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"/any/thing, /fixed", "/, /fixed"})
  void replaceFullPathReplacesWhateverWasMatched(String path, String expected) {
    assertThat(
            PathRewrite.apply(
                path,
                new PathModifier(PathModifier.Type.ReplaceFullPath, "/fixed"),
                new PathCondition(PathCondition.Type.Exact, path)))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource(
      value = {"/a | x=1&y=2 | /a?x=1&y=2", "/a | '' | /a?", "/a | NULL | /a"},
      delimiter = '|',
      nullValues = "NULL")
  void theQueryIsKept(String path, String query, String expected) {
    assertThat(PathRewrite.withQuery(path, query)).isEqualTo(expected);
  }
}
