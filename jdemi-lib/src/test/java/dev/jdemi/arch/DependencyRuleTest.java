package dev.jdemi.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Enforces the dependency rule of the architecture page: arrows point down only, and only {@code sys} touches the
 * native linker. A violation fails the build.
 */
class DependencyRuleTest {
    /** The devices over a kernel interface: the only part of {@code phy} that may use {@code sys}. */
    private static final String[] KERNEL_DEVICES = {"dev.jdemi.phy.afpacket..", "dev.jdemi.phy.afxdp..",
        "dev.jdemi.phy.tap.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importLibrary() {
        classes = new ClassFileImporter()
                .withImportOption(location -> !location.contains("/test-classes/"))
                .importPackages("dev.jdemi");
    }

    private static void check(ArchRule rule) {
        rule.allowEmptyShould(true).check(classes);
    }

    @Test
    void apiDependsOnNothingElseInTheLibrary() {
        check(noClasses().that().resideInAnyPackage("dev.jdemi", "dev.jdemi.spi")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jdemi.runtime..", "dev.jdemi.libos..",
                        "dev.jdemi.sys..", "dev.jdemi.wire..", "dev.jdemi.inet..", "dev.jdemi.phy..",
                        "dev.jdemi.catnap..", "dev.jdemi.catmem..", "dev.jdemi.bootstrap.."));
    }

    @Test
    void runtimeDependsOnlyOnTheApi() {
        check(noClasses().that().resideInAPackage("dev.jdemi.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jdemi.libos..", "dev.jdemi.sys..",
                        "dev.jdemi.wire..", "dev.jdemi.inet..", "dev.jdemi.phy..", "dev.jdemi.catnap..",
                        "dev.jdemi.catmem..", "dev.jdemi.bootstrap.."));
    }

    @Test
    void libosKnowsNoParticularTransport() {
        check(noClasses().that().resideInAPackage("dev.jdemi.libos..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jdemi.sys..", "dev.jdemi.wire..",
                        "dev.jdemi.inet..", "dev.jdemi.phy..", "dev.jdemi.catnap..", "dev.jdemi.catmem..",
                        "dev.jdemi.bootstrap.."));
    }

    @Test
    void wireAndSysDependOnlyOnTheJdk() {
        check(noClasses().that().resideInAnyPackage("dev.jdemi.wire..", "dev.jdemi.sys..")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "dev.jdemi.wire..",
                        "dev.jdemi.sys.."));
        check(noClasses().that().resideInAPackage("dev.jdemi.wire..")
                .should().dependOnClassesThat().resideInAPackage("dev.jdemi.sys.."));
        check(noClasses().that().resideInAPackage("dev.jdemi.sys..")
                .should().dependOnClassesThat().resideInAPackage("dev.jdemi.wire.."));
    }

    @Test
    void inetNeverKnowsItsDeviceOrTheKernel() {
        check(noClasses().that().resideInAPackage("dev.jdemi.inet..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jdemi.catnap..", "dev.jdemi.catmem..",
                        "dev.jdemi.sys..", "dev.jdemi.bootstrap.."));
    }

    @Test
    void phyKnowsOnlyTheApiAndTheRuntime() {
        check(noClasses().that().resideInAPackage("dev.jdemi.phy..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jdemi.wire..", "dev.jdemi.inet..",
                        "dev.jdemi.libos..", "dev.jdemi.catnap..", "dev.jdemi.catmem..", "dev.jdemi.bootstrap.."));
    }

    @Test
    void onlyKernelBackedDevicesCallTheKernel() {
        check(noClasses().that().resideInAPackage("dev.jdemi.phy..").and()
                .resideOutsideOfPackages(KERNEL_DEVICES)
                .should().dependOnClassesThat().resideInAPackage("dev.jdemi.sys.."));
        check(noClasses().that().resideInAPackage("dev.jdemi.phy")
                .should().dependOnClassesThat().resideInAnyPackage(KERNEL_DEVICES));
    }

    @Test
    void inetLowerHalfKnowsNoTransportNorLibos() {
        check(noClasses().that().resideInAPackage("dev.jdemi.inet")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jdemi.inet.udp..", "dev.jdemi.inet.tcp..",
                        "dev.jdemi.inet.transport..", "dev.jdemi.libos.."));
        check(noClasses().that().resideInAnyPackage("dev.jdemi.inet.udp..", "dev.jdemi.inet.tcp..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jdemi.inet.transport..", "dev.jdemi.libos..",
                        "dev.jdemi.phy.."));
    }

    @Test
    void inetTransportsDoNotImportEachOther() {
        check(noClasses().that().resideInAPackage("dev.jdemi.inet.tcp..")
                .should().dependOnClassesThat().resideInAPackage("dev.jdemi.inet.udp.."));
        check(noClasses().that().resideInAPackage("dev.jdemi.inet.udp..")
                .should().dependOnClassesThat().resideInAPackage("dev.jdemi.inet.tcp.."));
    }

    @Test
    void tcpIsAPureStateMachineOverTheWireFormat() {
        check(noClasses().that().resideInAPackage("dev.jdemi.inet.tcp..")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "dev.jdemi.inet.tcp..",
                        "dev.jdemi.wire..", "dev.jdemi.runtime.."));
    }

    @Test
    void backendsDoNotDependOnEachOther() {
        check(noClasses().that().resideInAPackage("dev.jdemi.catnap..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jdemi.inet..", "dev.jdemi.catmem..",
                        "dev.jdemi.phy..", "dev.jdemi.wire.."));
        check(noClasses().that().resideInAPackage("dev.jdemi.catmem..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jdemi.inet..", "dev.jdemi.catnap..",
                        "dev.jdemi.phy..", "dev.jdemi.wire.."));
    }

    @Test
    void nothingDependsOnBootstrap() {
        check(noClasses().that().resideOutsideOfPackage("dev.jdemi.bootstrap..")
                .should().dependOnClassesThat().resideInAPackage("dev.jdemi.bootstrap.."));
    }

    @Test
    void onlySysTouchesTheNativeLinker() {
        check(noClasses().that().resideOutsideOfPackage("dev.jdemi.sys..")
                .should().dependOnClassesThat().areAssignableTo(Linker.class)
                .orShould().dependOnClassesThat().areAssignableTo(SymbolLookup.class));
        check(noClasses().that().resideOutsideOfPackage("dev.jdemi.sys..")
                .should().callMethod(MemorySegment.class, "reinterpret", long.class)
                .orShould().callMethod(MemorySegment.class, "reinterpret", long.class, java.lang.foreign.Arena.class,
                        java.util.function.Consumer.class));
    }

    @Test
    void onlyTheSystemClockReadsTheTime() {
        check(noClasses().that().doNotHaveFullyQualifiedName("dev.jdemi.runtime.SystemClock")
                .should().callMethod(System.class, "nanoTime")
                .orShould().callMethod(System.class, "currentTimeMillis"));
    }
}
