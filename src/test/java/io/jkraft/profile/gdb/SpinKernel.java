package io.jkraft.profile.gdb;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.testing.FixtureMake;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.QemuBoot;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fixture kernel that keeps its vCPU busy: {@code jk_spin} increments the global {@code jk_counter} for
 * ever, or with the argument {@value #EXIT} 30 million times (about a second under TCG) before main returns
 * and the machine ends.
 * Its symbols come from {@code nm} and function bytes from {@code objcopy}, for comparison with what the
 * gdbstub reads.
 */
public record SpinKernel(String arch, Path image, Map<String, Long> symbols) {
    public static final String EXIT = "exit";

    private static final String SOURCE = """
            #include <stdio.h>
            #include <string.h>

            volatile unsigned long jk_counter;

            __attribute__((noinline)) void jk_spin(unsigned long n)
            {
            	unsigned long i;

            	for (i = 0; n == 0 || i < n; i++)
            		jk_counter++;
            }

            int main(int argc, char *argv[])
            {
            	int i;

            	printf("spinning\\n");
            	/* From 0: on arm64 the command line's first word is argv[0]. */
            	for (i = 0; i < argc; i++) {
            		if (!strcmp(argv[i], "exit")) {
            			jk_spin(30000000);
            			printf("done\\n");
            			return 0;
            		}
            	}
            	jk_spin(0);
            	return 0;
            }
            """;

    /** Builds the kernel for {@code arch} in {@code dir}; skips the calling test where it cannot be built or booted. */
    public static SpinKernel build(String arch, Path dir) throws Exception {
        assumeTrue(QemuBoot.available(arch), () -> QemuBoot.unavailableReason(arch));
        Path app = Files.createDirectories(dir.resolve("spin"));
        Files.writeString(app.resolve("spin.c"), SOURCE);
        Files.writeString(app.resolve("Makefile.uk"), """
                $(eval $(call addlib,appspin))
                APPSPIN_SRCS-y += $(APPSPIN_BASE)/spin.c
                """);
        String archConfig = arch.equals("arm64") ? "CONFIG_ARCH_ARM_64=y\n" : "CONFIG_ARCH_X86_64=y\n";
        Path defconfig = Files.writeString(dir.resolve("defconfig"), archConfig + "CONFIG_PLAT_KVM=y\n");
        FixtureMake make = FixtureMake.forApp(FixtureRepos.coreDir(), app);
        FixtureMake.Result configured = make.defconfig(defconfig);
        FixtureMake.Result built = configured.exitCode() == 0 ? make.run("-j2") : configured;
        if (built.exitCode() != 0) {
            throw new IllegalStateException("the spin kernel did not build:\n" + built.output());
        }
        Path image = make.image("spin", "qemu", arch);
        return new SpinKernel(arch, image, symbols(image.resolveSibling(image.getFileName() + ".dbg")));
    }

    long symbol(String name) {
        Long address = symbols.get(name);
        if (address == null) {
            throw new IllegalStateException(name + " is not in " + image);
        }
        return address;
    }

    /** The bytes of the ELF file's .text section (objcopy), and where it starts (nm's _text or the section). */
    byte[] textBytes(Path scratch) throws IOException, InterruptedException {
        Path out = scratch.resolve("text-" + arch + ".bin");
        run(binutil("objcopy"), "-O", "binary", "--only-section=.text", image.toString(), out.toString());
        return Files.readAllBytes(out);
    }

    /** The start address of the .text section (objdump -h). */
    long textStart() throws IOException, InterruptedException {
        for (String line : run(binutil("objdump"), "-h", image.toString()).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 4 && f[1].equals(".text")) {
                return Long.parseUnsignedLong(f[3], 16);
            }
        }
        throw new IllegalStateException("no .text section in " + image);
    }

    /** The host's binutils read x86_64 only; arm64 needs the cross ones. */
    private String binutil(String name) {
        return arch.equals("arm64") ? "aarch64-linux-gnu-" + name : name;
    }

    /** The QEMU command that boots this kernel with a gdbstub on {@code port}. */
    List<String> qemu(int port, String append) {
        List<String> cmd = new ArrayList<>(QemuBoot.command(arch, image, append));
        cmd.addAll(List.of("-accel", "tcg", "-display", "none", "-gdb", "tcp:127.0.0.1:" + port));
        return cmd;
    }

    private static Map<String, Long> symbols(Path elf) throws IOException, InterruptedException {
        Map<String, Long> symbols = new TreeMap<>();
        for (String line : run("nm", elf.toString()).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                symbols.put(f[2], Long.parseUnsignedLong(f[0], 16));
            }
        }
        return symbols;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }
}
