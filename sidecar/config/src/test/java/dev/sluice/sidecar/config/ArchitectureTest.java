package dev.sluice.sidecar.config;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The contract between the operator and the sidecar depends on nothing of ours and nothing of
 * Kubernetes or Netty: both sides take it as it is, and it can be read on its own.
 */
class ArchitectureTest {
  @Test
  void theContractDependsOnNothingOfOursNorOnKubernetesOrNetty() {
    JavaClasses contract =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.sidecar.config");
    DescribedPredicate<JavaClass> ours =
        resideInAPackage("dev.sluice..").and(not(resideInAPackage("dev.sluice.sidecar.config..")));
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.sidecar.config..")
        .should()
        .dependOnClassesThat(ours.or(resideInAnyPackage("io.fabric8..", "io.netty..")))
        .check(contract);
  }
}
