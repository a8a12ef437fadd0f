package dev.sluice.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeLibrariesTest {
  private static final Path RUNTIME = Path.of("/tmp/rt");
  private static final Path ELF = RUNTIME.resolve("lib/libnet.so");

  @Test
  void lddLinesGiveTheLibrariesOutsideTheRuntime() throws IOException {
    assertThat(
            NativeLibraries.parseLine(
                "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f)", RUNTIME, ELF))
        .containsExactly(Path.of("/lib/x86_64-linux-gnu/libz.so.1"));
    assertThat(NativeLibraries.parseLine("/lib64/ld-linux-x86-64.so.2 (0x00007f)", RUNTIME, ELF))
        .containsExactly(Path.of("/lib64/ld-linux-x86-64.so.2"));
    assertThat(NativeLibraries.parseLine("linux-vdso.so.1 (0x00007ffc)", RUNTIME, ELF)).isEmpty();
    assertThat(
            NativeLibraries.parseLine(
                "libjava.so => /tmp/rt/lib/libjava.so (0x00007f)", RUNTIME, ELF))
        .as("the runtime's own library")
        .isEmpty();
    assertThat(NativeLibraries.parseLine("libjvm.so => not found", RUNTIME, ELF))
        .as("found by the launcher, not ld.so")
        .isEmpty();
  }

  @Test
  void aLibraryLddCannotFindIsAnErrorNamingItAndItsUser() {
    assertThatThrownBy(() -> NativeLibraries.parseLine("libX11.so.6 => not found", RUNTIME, ELF))
        .hasMessageContaining("libX11.so.6")
        .hasMessageContaining(ELF.toString());
  }
}
