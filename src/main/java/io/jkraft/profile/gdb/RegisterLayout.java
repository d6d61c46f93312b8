package io.jkraft.profile.gdb;

import io.jkraft.common.Architecture;
import io.jkraft.profile.sample.RegisterSnapshot;

/**
 * Where a stack walk's registers sit in QEMU's {@code g} packet (hex, little-endian, in the order of the
 * target description's core feature).
 *
 * <p>x86_64 (org.gnu.gdb.i386.core, 64-bit): rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip eflags ..., 8 bytes
 * each up to rip, so rbp is register 6, rsp 7, rip 16; QEMU sends them 8 bytes wide even while the vCPU
 * runs 32-bit code. aarch64 (org.gnu.gdb.aarch64.core): x0..x30, sp, pc, cpsr, so x29 (fp) is 29, x30 (lr)
 * 30, sp 31, pc 32.
 *
 * @param architecture the vCPU's
 * @param pc           register number of the program counter
 * @param sp           register number of the stack pointer
 * @param fp           register number of the frame pointer
 * @param lr           register number of the link register, or -1
 */
record RegisterLayout(Architecture architecture, int pc, int sp, int fp, int lr) {
    static final RegisterLayout X86_64 = new RegisterLayout(Architecture.X86_64, 16, 7, 6, -1);
    static final RegisterLayout ARM64 = new RegisterLayout(Architecture.ARM64, 32, 31, 29, 30);

    private static final int WIDTH = 8;

    /** The layout for a target description's {@code <architecture>} (GDB's BFD name). */
    static RegisterLayout forTargetArchitecture(String name) throws GdbException {
        return switch (name) {
            case "i386:x86-64" -> X86_64;
            case "aarch64" -> ARM64;
            default -> throw new GdbException("the gdbstub's architecture '" + name
                    + "' is not one jkraft profiles (x86_64, arm64)");
        };
    }

    /** The registers of one {@code g} reply. */
    RegisterSnapshot decode(String g) throws GdbException {
        int needed = (Math.max(pc, sp) + 1) * WIDTH * 2;
        if (g.length() < needed) {
            throw new GdbException("a register packet of " + g.length() / 2 + " bytes; " + architecture
                    + " needs at least " + needed / 2);
        }
        return new RegisterSnapshot(architecture, register(g, pc), register(g, sp), register(g, fp),
                lr < 0 ? 0 : register(g, lr));
    }

    private static long register(String g, int number) throws GdbException {
        int at = number * WIDTH * 2;
        long value = 0;
        for (int i = WIDTH - 1; i >= 0; i--) {
            int hi = Hex.digit(g.charAt(at + 2 * i));
            int lo = Hex.digit(g.charAt(at + 2 * i + 1));
            if (hi < 0 || lo < 0) {
                // 'xx' marks a register the stub could not read.
                throw new GdbException("register " + number + " is unavailable in the register packet");
            }
            value = (value << 8) | (hi << 4) | lo;
        }
        return value;
    }
}
