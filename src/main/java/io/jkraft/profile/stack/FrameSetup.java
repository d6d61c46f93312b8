package io.jkraft.profile.stack;

/**
 * Where the innermost function keeps its caller at one pc: whether it has set up its frame, and if not,
 * where the return address is. Decided from the function's prologue in the kernel's code, not from
 * call-frame information: the fixture core and many kernels are built with {@code -fno-asynchronous-unwind-tables},
 * and a leaf function either has the frame-pointer prologue or none at all.
 *
 * <ul>
 *   <li>x86: a function whose first instruction (after an {@code endbr}) is not {@code push %rbp} has no frame;
 *       its return address is taken at [sp] (exact when it pushed nothing else, which is the case of the small
 *       leaf functions the compiler leaves frameless). Before the push it is at [sp], after the push and before
 *       {@code mov %rsp,%rbp} at [sp + word]. At a {@code ret} the frame is gone again: [sp].</li>
 *   <li>arm64: a function with no {@code mov x29, sp} / {@code add x29, sp, #n} among its first instructions
 *       has no frame, and its caller is in the link register; so is it up to that instruction (x30 is saved,
 *       not changed, by {@code stp x29, x30, [sp, #-n]!}), at a {@code ret}, and right after
 *       {@code ldp x29, x30, ...} restored both.</li>
 * </ul>
 * In every unframed case the frame pointer register still holds the caller's frame.
 *
 * @param framed     whether the frame pointer already points at this function's own frame record
 * @param returnSlot when not framed on x86: the return address is at sp + returnSlot words
 */
record FrameSetup(boolean framed, int returnSlot) {
    static final FrameSetup FRAMED = new FrameSetup(true, 0);
    private static final int PROLOGUE_BYTES = 24;
    private static final int PROLOGUE_INSNS = 8;
    private static final int ARM_RET = 0xd65f03c0;

    static FrameSetup at(SymbolTable symbols, long pc) {
        var symbol = symbols.lookup(pc);
        if (symbol.isEmpty()) {
            return FRAMED; // nothing known about the code: the frame pointer chain is all there is
        }
        return symbols.architecture().linkRegister()
                ? arm64(symbols, symbol.get(), pc)
                : x86(symbols, symbol.get(), pc, symbols.architecture().wordSize() == 8);
    }

    private static FrameSetup x86(SymbolTable symbols, Symbol function, long pc, boolean wide) {
        byte[] atPc = symbols.code(pc, 2);
        if (atPc != null && (u8(atPc, 0) == 0xc3 || (u8(atPc, 0) == 0xf3 && u8(atPc, 1) == 0xc3))) {
            return new FrameSetup(false, 0);
        }
        byte[] code = symbols.code(function.start(), (int) Math.min(PROLOGUE_BYTES, function.size()));
        if (code == null) {
            return FRAMED;
        }
        int i = 0;
        if (code.length >= 4 && u8(code, 0) == 0xf3 && u8(code, 1) == 0x0f && u8(code, 2) == 0x1e
                && (u8(code, 3) == 0xfa || u8(code, 3) == 0xfb)) {
            i = 4;
        }
        if (i >= code.length || u8(code, i) != 0x55) {
            return new FrameSetup(false, 0);
        }
        if (function.offset() <= i) {
            return new FrameSetup(false, 0);
        }
        int mov = findMovSpToFp(code, i + 1, wide);
        if (mov >= 0 && function.offset() <= mov) {
            return new FrameSetup(false, 1);
        }
        return FRAMED;
    }

    /** The offset of {@code mov %rsp,%rbp} (48 89 e5 / 48 8b ec; without the 48 in 32-bit code), or -1. */
    private static int findMovSpToFp(byte[] code, int from, boolean wide) {
        int prefix = wide ? 1 : 0;
        for (int j = from; j + prefix + 1 < code.length; j++) {
            if (wide && u8(code, j) != 0x48) {
                continue;
            }
            int op = u8(code, j + prefix);
            int modrm = u8(code, j + prefix + 1);
            if ((op == 0x89 && modrm == 0xe5) || (op == 0x8b && modrm == 0xec)) {
                return j;
            }
        }
        return -1;
    }

    private static FrameSetup arm64(SymbolTable symbols, Symbol function, long pc) {
        byte[] atPc = symbols.code(pc, 4);
        byte[] before = function.offset() >= 4 ? symbols.code(pc - 4, 4) : null;
        if ((atPc != null && u32(atPc, 0) == ARM_RET) || (before != null && isLdpFpLr(u32(before, 0)))) {
            return new FrameSetup(false, 0);
        }
        int length = (int) Math.min(PROLOGUE_INSNS * 4L, function.size()) & ~3;
        byte[] code = symbols.code(function.start(), length);
        if (code == null) {
            return FRAMED;
        }
        for (int k = 0; k + 4 <= code.length; k += 4) {
            if ((u32(code, k) & 0xffc003ff) == 0x910003fd) { // add x29, sp, #imm (mov x29, sp is imm 0)
                return function.offset() <= k ? new FrameSetup(false, 0) : FRAMED;
            }
        }
        return new FrameSetup(false, 0);
    }

    /** {@code ldp x29, x30, [sp], #n} or {@code ldp x29, x30, [sp, #n]}. */
    private static boolean isLdpFpLr(int insn) {
        int masked = insn & 0xffc07fff;
        return masked == 0xa8c07bfd || masked == 0xa9407bfd;
    }

    private static int u8(byte[] bytes, int i) {
        return bytes[i] & 0xff;
    }

    private static int u32(byte[] bytes, int i) {
        return u8(bytes, i) | u8(bytes, i + 1) << 8 | u8(bytes, i + 2) << 16 | u8(bytes, i + 3) << 24;
    }
}
