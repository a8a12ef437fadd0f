package dev.sluice.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The diff is the one GNU {@code diff -u} prints for the same texts (headers aside). */
class UnifiedDiffTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "one line changed       | a,b,c,d,e,f,g,h,i,j           | a,b,c,d,X,f,g,h,i,j",
        "two distant hunks      | 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 | 1,X,3,4,5,6,7,8,9,10,11,12,13,14,Y,16",
        "close changes merge    | 1,2,3,4,5,6,7,8,9,10          | 1,X,3,4,5,6,Y,8,9,10",
        "insert at the start    | b,c,d                         | a,b,c,d",
        "delete at the end      | a,b,c,d                       | a,b,c",
        "everything replaced    | a,b                           | x,y,z",
        "from nothing           | ''                            | a,b",
      })
  void matchesGnuDiff(String name, String before, String after) throws Exception {
    String a = text(before);
    String b = text(after);
    Path left = Files.writeString(dir.resolve("a"), a);
    Path right = Files.writeString(dir.resolve("b"), b);
    Process diff = new ProcessBuilder("diff", "-u", left.toString(), right.toString()).start();
    String expected = new String(diff.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(diff.waitFor(10, TimeUnit.SECONDS)).isTrue();
    String ours = UnifiedDiff.of("a", a, "b", b);
    assertThat(body(ours)).isEqualTo(body(expected));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {"equal | a,b,c", "empty | ''"})
  void equalTextsHaveNoDiff(String name, String text) {
    assertThat(UnifiedDiff.of("a", text(text), "b", text(text))).isEmpty();
  }

  private static String text(String csv) {
    return csv.isEmpty() ? "" : String.join("\n", csv.split(",")) + "\n";
  }

  /** Without the two header lines (diff names files and times). */
  private static String body(String diff) {
    return diff.lines().skip(2).map(l -> l + "\n").reduce("", String::concat);
  }
}
