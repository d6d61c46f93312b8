package io.jkraft.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.testing.FixtureMake;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An x86_64 fixture kernel for lifecycle tests whose behaviour its arguments choose, so that one build
 * serves every test of a class. It prints {@code life app: <n> arguments} and one {@code argv[i]: <arg>}
 * line per argument, then:
 * <ul>
 *   <li>{@value #IDLE}: prints {@value #IDLING} and halts its CPU with interrupts off, for ever. The
 *       machine runs until stopped but costs no CPU, so many of them fit on a small test host.</li>
 *   <li>{@value #CRASH}: writes Unikraft's crash code (42) to QEMU's isa-debug-exit port, as a crashing
 *       Unikraft guest does; QEMU exits with 85.</li>
 *   <li>{@value #PANIC}: prints {@value #PANICKING} and reports a panic on QEMU's pvpanic device (I/O port
 *       0x505), then halts; under {@code -action panic=pause} QEMU stays up with the guest in
 *       {@code guest-panicked}.</li>
 *   <li>otherwise it returns 0, and the fixture core resets the machine (QEMU exits with 0).</li>
 * </ul>
 */
final class LifeKernel {
    static final String IDLE = "idle";
    static final String IDLING = "idling";
    static final String CRASH = "crash";
    static final String PANIC = "panic";
    static final String PANICKING = "panicking";

    private static final String SOURCE = """
            #include <stdio.h>
            #include <string.h>

            static void outb(unsigned short port, unsigned char v)
            {
            	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
            }

            int main(int argc, char *argv[])
            {
            	int i;

            	printf("life app: %d arguments\\n", argc - 1);
            	for (i = 1; i < argc; i++)
            		printf("argv[%d]: %s\\n", i, argv[i]);
            	for (i = 1; i < argc; i++) {
            		if (!strcmp(argv[i], "idle")) {
            			printf("idling\\n");
            			for (;;)
            				__asm__ volatile("cli; hlt");
            		}
            		if (!strcmp(argv[i], "panic")) {
            			printf("panicking\\n");
            			outb(0x505, 1);
            			for (;;)
            				__asm__ volatile("cli; hlt");
            		}
            		if (!strcmp(argv[i], "crash")) {
            			printf("crashing\\n");
            			outb(0x501, 42);
            		}
            	}
            	return 0;
            }
            """;

    private static final String MAKEFILE_UK = """
            $(eval $(call addlib,applife))
            APPLIFE_SRCS-y += $(APPLIFE_BASE)/life.c
            """;

    private LifeKernel() {}

    /** Builds the kernel in {@code dir}; skips the calling test where x86_64 kernels cannot be built or booted. */
    static Path build(Path dir) throws Exception {
        assumeTrue(QemuBoot.available("x86_64"), () -> QemuBoot.unavailableReason("x86_64"));
        Path app = Files.createDirectories(dir.resolve("life"));
        Files.writeString(app.resolve("life.c"), SOURCE);
        Files.writeString(app.resolve("Makefile.uk"), MAKEFILE_UK);
        Path defconfig = Files.writeString(dir.resolve("defconfig"), "CONFIG_PLAT_KVM=y\n");
        FixtureMake make = FixtureMake.forApp(FixtureRepos.coreDir(), app);
        FixtureMake.Result configured = make.defconfig(defconfig);
        FixtureMake.Result built = configured.exitCode() == 0 ? make.run("-j2") : configured;
        if (built.exitCode() != 0) {
            throw new IllegalStateException("the life kernel did not build:\n" + built.output());
        }
        return make.image("life", "qemu", "x86_64");
    }
}
