package dev.sluice.operator;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The operator's structure as docs/architecture.md states it: packages by feature that never depend
 * on each other in a circle, and of the sidecar only the contract ({@code
 * dev.sluice.sidecar.config}) — never a class of the proxy.
 */
class ArchitectureTest {
  static final String OPERATOR = "dev.sluice.operator";

  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(OPERATOR);

  /** One slice per top-level package of the operator; the assembly's root package is one too. */
  static final SliceAssignment PACKAGES =
      new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
          String name = javaClass.getPackageName();
          if (name.equals(OPERATOR)) {
            return SliceIdentifier.of("(root)");
          }
          if (!name.startsWith(OPERATOR + ".")) {
            return SliceIdentifier.ignore();
          }
          return SliceIdentifier.of(name.substring(OPERATOR.length() + 1).split("\\.")[0]);
        }

        @Override
        public String getDescription() {
          return "the packages of " + OPERATOR;
        }
      };

  @Test
  void noPackageCycles() {
    slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void ofTheSidecarOnlyTheContractIsUsed() {
    noClasses()
        .that()
        .resideInAPackage(OPERATOR + "..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.sluice.sidecar..")
                .and(not(resideInAPackage("dev.sluice.sidecar.config.."))))
        .check(MAIN);
  }
}
