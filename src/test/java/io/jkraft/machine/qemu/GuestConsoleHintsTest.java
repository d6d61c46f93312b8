package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Console samples are Unikraft 0.17 output seen under QEMU (TCG). */
class GuestConsoleHintsTest {

    private static final Path LOG = Path.of("state", "machine.log");
    private static final GuestConsoleHints.Context TCG_64M = new GuestConsoleHints.Context(true, 64L << 20, LOG);

    private static final String HWRNG = """
            [    0.102975] Info: [libukboot] <boot.c @  373> Init Table @ 0x163050 - 0x1630d0
            [    0.103512] ERR:  [libukrandom] <random.c @   65> Could not initialize the HWRNG (-95)
            [    0.103990] ERR:  [libukboot] <boot.c @  385> Init function at 0x13bd30 returned error -95
            [    0.104305] Info: [libukboot] <boot.c @  421> Halting system (3)
            [    0.104543] Info: [libkvmplat] <shutdown.c @   59> Unikraft halted
            """;

    private static final String INITRD_TOO_BIG = """
            [    0.125779] Warn: [libukallocbbuddy] <bbuddy.c @  351> 11000: Cannot handle palloc request of order 10: Out of memory
            [    0.127725] ERR:  [libukcpio] <cpio.c @  145> /blob: Failed to load content: Input/output error (5)
            [    0.129239] CRIT: [libvfscore] <automount.c @  562> Failed to extract cpio archive to /: -3
            [    0.130477] ERR:  [libukboot] <boot.c @  385> Init function at 0x148ec0 returned error -5
            [    0.130649] Info: [libukboot] <boot.c @  421> Halting system (3)
            """;

    private static final String ASSERTION = """
            [    0.000000] CRIT: [libkvmplat] <memory.c @  341> Assertion failure: mr_prio == 0 || ml_prio == 0
            [    0.000000] Info: [libkvmplat] <shutdown.c @   59> Unikraft halted
            """;

    @Test
    void missingRngUnderEmulationSuggestsKconfigOrKvm() {
        assertThat(GuestConsoleHints.hint(HWRNG, TCG_64M)).hasValueSatisfying(h -> assertThat(h)
                .contains("Could not initialize the HWRNG (-95)")
                .contains("`--kconfig CONFIG_LIBUKRANDOM=n`", "KVM", "RDSEED", "emulation"));
    }

    @Test
    void missingRngUnderKvmBlamesTheCpu() {
        var kvm = new GuestConsoleHints.Context(false, 64L << 20, LOG);
        assertThat(GuestConsoleHints.hint(HWRNG, kvm)).hasValueSatisfying(h -> assertThat(h)
                .contains("host CPU", "CONFIG_LIBUKRANDOM").doesNotContain("KVM /"));
    }

    @Test
    void outOfMemoryAtBootSuggestsDoubleTheMemory() {
        assertThat(GuestConsoleHints.hint(INITRD_TOO_BIG, TCG_64M)).hasValue(
                "The guest ran out of memory (11000: Cannot handle palloc request of order 10: Out of memory):"
                        + " try -M 128Mi");
        assertThat(GuestConsoleHints.hint("Init function at 0x1 returned error -12\n",
                new GuestConsoleHints.Context(true, 3L << 20, LOG))).hasValueSatisfying(h -> assertThat(h)
                .endsWith("try -M 6Mi"));
        assertThat(GuestConsoleHints.hint("ERR: [libukboot] <boot.c @ 289> Failed to initialize memory allocator\n",
                TCG_64M)).hasValueSatisfying(h -> assertThat(h).contains("out of memory"));
    }

    @Test
    void crashNamesTheLineAndTheLog() {
        assertThat(GuestConsoleHints.hint(ASSERTION, TCG_64M)).hasValue(
                "The guest crashed (Assertion failure: mr_prio == 0 || ml_prio == 0); the full console log is " + LOG);
        assertThat(GuestConsoleHints.crashLine("CRIT: [libkvmplat] <traps.c @ 84> Unhandled Trap 14 (page fault), error code=0x2\n"))
                .hasValue("Unhandled Trap 14 (page fault), error code=0x2");
        assertThat(GuestConsoleHints.crashLine("Info: [libukboot] <boot.c @ 421> Halting system (3)\n"))
                .hasValue("Halting system (3)");
    }

    @Test
    void normalRunsAndUnrelatedAllocationMessagesGiveNoHint() {
        String normal = """
                Hello from real Unikraft
                [    0.108456] Info: [libukboot] <boot.c @  503> main returned 0
                [    0.108663] Info: [libukboot] <boot.c @  421> Halting system (0)
                ERR:  [libposix_tty] <tty.c @ 40> Failed to allocate fd for stdin: -24
                """;
        assertThat(GuestConsoleHints.hint(normal, TCG_64M)).isEmpty();
        assertThat(GuestConsoleHints.crashLine(normal)).isEmpty();
    }
}
