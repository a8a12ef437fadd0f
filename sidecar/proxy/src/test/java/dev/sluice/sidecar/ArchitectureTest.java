package dev.sluice.sidecar;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy's layout holds: its feature packages form no cycle (each can be read, changed and
 * tested from the ones below it), and it never reaches into Kubernetes or the operator — what it
 * knows of them is the contract module.
 */
class ArchitectureTest {
  private static JavaClasses proxy;

  @BeforeAll
  static void importClasses() {
    proxy =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.sidecar");
  }

  @Test
  void featurePackagesFormNoCycle() {
    slices().matching("dev.sluice.sidecar.(*)..").should().beFreeOfCycles().check(proxy);
  }

  @Test
  void theProxyNeverDependsOnKubernetesOrTheOperator() {
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.sidecar..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..", "dev.sluice.operator..")
        .check(proxy);
  }
}
