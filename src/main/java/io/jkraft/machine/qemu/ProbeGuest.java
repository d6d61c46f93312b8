package io.jkraft.machine.qemu;

import io.jkraft.common.Architecture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The guest {@link AcceleratorProbe} boots to learn whether KVM really works. An empty machine is not
 * enough: on some nested-virtualisation hosts KVM runs one, but a Unikraft x86_64 guest then stops at its
 * first SSE instruction ("KVM internal error. Suberror: 1 (emulation failure)", after which QEMU pauses
 * the guest instead of exiting, so the caller needs a timeout). This guest does what Unikraft's early boot
 * does on each architecture, prints {@link #READY_LINE} on the serial console and ends QEMU.
 *
 * <p>x86_64: a multiboot (v1) flat binary loaded at 1 MiB. From 32-bit protected mode it enters long mode
 * (first GiB identity-mapped with 2 MiB pages), enables SSE, and XSAVE with x87|SSE(|AVX) in XCR0 when
 * CPUID offers them, runs {@code ldmxcsr}, {@code fxsave}, {@code xsave}, an SSE, an AVX instruction and
 * {@code rdtsc}, prints on COM1 and ends through isa-debug-exit with {@link #X86_READY_STATUS}. Without
 * long mode it prints another line and ends with {@link #X86_NO_LONG_MODE_STATUS}; an exception is a
 * triple fault (the IDT is empty), which ends QEMU with status 0 under {@code -no-reboot}.
 *
 * <p>arm64: a Linux {@code Image} entered at EL1 with the MMU off. It enables FP/SIMD, runs an FP and a
 * SIMD instruction, reads CNTVCT_EL0, prints on the virt board's PL011 and powers off through PSCI
 * (QEMU exits 0). An exception prints "jkraft-probe: exception" and powers off too (or waits in
 * {@code wfi} if that traps again).
 *
 * <p>Tested with QEMU 7.2 under TCG: x86_64 on {@code -machine microvm -cpu max}, {@code -machine pc -cpu
 * max} and {@code -machine pc -cpu qemu64} (no XSAVE or AVX); arm64 on {@code -machine virt} with {@code
 * -cpu max} and {@code -cpu cortex-a57}. On a nested host with that KVM failure ({@code -accel kvm -cpu
 * host,-arch-capabilities}), this guest stops at its {@code ldmxcsr} with the same emulation failure.
 */
final class ProbeGuest {

    /** What the guest prints on its console, followed by "\r\n", once everything ran. */
    static final String READY_LINE = "jkraft-probe: ok";
    /** Written to isa-debug-exit after {@link #READY_LINE}. */
    static final int X86_READY_VALUE = 0x21;
    /** QEMU's exit status after {@link #X86_READY_VALUE}: isa-debug-exit makes it {@code (value << 1) | 1}. */
    static final int X86_READY_STATUS = (X86_READY_VALUE << 1) | 1;
    /** Written to isa-debug-exit when the CPU has no long mode. */
    static final int X86_NO_LONG_MODE_VALUE = 0x22;
    static final int X86_NO_LONG_MODE_STATUS = (X86_NO_LONG_MODE_VALUE << 1) | 1;
    /** QEMU's exit status after the arm64 guest's PSCI SYSTEM_OFF. */
    static final int ARM64_READY_STATUS = 0;

    private static final String READY_MESSAGE = READY_LINE + "\r\n";
    private static final String NO_LONG_MODE_MESSAGE = "jkraft-probe: no long mode\r\n";
    private static final String EXCEPTION_MESSAGE = "jkraft-probe: exception\r\n";

    /** Where QEMU's multiboot loader puts the x86_64 image (load_addr), and where its bss lies. */
    private static final int X86_LOAD = 0x100000;
    private static final int X86_BSS = X86_LOAD + 0x1000;
    private static final int PML4 = X86_BSS;
    private static final int PDPT = X86_BSS + 0x1000;
    private static final int PD = X86_BSS + 0x2000;
    private static final int FXSAVE_AREA = X86_BSS + 0x3000;
    private static final int XSAVE_AREA = X86_BSS + 0x3400;
    private static final int X86_BSS_END = X86_BSS + 0x3800;
    private static final int MULTIBOOT_MAGIC = 0x1BADB002;
    private static final int MULTIBOOT_AOUT_KLUDGE = 1 << 16;

    private ProbeGuest() {
    }

    /** The kernel image for {@code -kernel}: x86_64 or arm64. */
    static byte[] image(Architecture architecture) {
        return switch (architecture) {
            case X86_64 -> x86();
            case ARM64 -> arm64();
            case ARM -> throw new IllegalArgumentException("no probe guest for architecture " + architecture);
        };
    }

    /**
     * The options that boot {@code kernel} with its console on QEMU's stdout, without {@code -accel},
     * {@code -cpu} or {@code -machine}, which the caller adds (see the class comment for the machines).
     */
    static List<String> qemuArguments(Architecture architecture, Path kernel) {
        List<String> args = new ArrayList<>(List.of("-nodefaults", "-no-user-config", "-display", "none",
                "-monitor", "none", "-serial", "stdio", "-no-reboot"));
        switch (architecture) {
            case X86_64 -> args.addAll(List.of("-device", "isa-debug-exit"));
            case ARM64 -> { }
            case ARM -> throw new IllegalArgumentException("no probe guest for architecture " + architecture);
        }
        args.addAll(List.of("-kernel", kernel.toString()));
        return args;
    }

    /** Whether QEMU's exit and the guest's console show that the guest ran to its end. */
    static boolean succeeded(Architecture architecture, int qemuExitStatus, String stdout) {
        int expected = switch (architecture) {
            case X86_64 -> X86_READY_STATUS;
            case ARM64 -> ARM64_READY_STATUS;
            case ARM -> throw new IllegalArgumentException("no probe guest for architecture " + architecture);
        };
        return qemuExitStatus == expected && stdout != null && stdout.lines().anyMatch(READY_LINE::equals);
    }

    private static byte[] x86() {
        Code c = new Code();
        // Multiboot header with the a.out kludge: QEMU loads the file as it is, zeroes up to bss_end_addr.
        c.label("header").u32(MULTIBOOT_MAGIC).u32(MULTIBOOT_AOUT_KLUDGE)
                .u32(-(MULTIBOOT_MAGIC + MULTIBOOT_AOUT_KLUDGE))
                .abs32("header").abs32("header").u32(0).u32(X86_BSS_END).abs32("start");
        c.label("gdt").u64(0)
                .u64(0x00AF9A000000FFFFL)                  // 0x08: 64-bit code, present, ring 0
                .u64(0x00CF92000000FFFFL);                 // 0x10: flat data
        c.label("gdt_ptr").u16(3 * 8 - 1).abs32("gdt");
        // Limit 0: any exception becomes a triple fault, which -no-reboot turns into QEMU's exit.
        c.label("idt_ptr").u16(0).u32(0);
        c.label("mxcsr").u32(0x1f80);                      // all exceptions masked, as after reset
        c.label("ready").ascii(READY_MESSAGE);
        c.label("no_long_mode_msg").ascii(NO_LONG_MODE_MESSAGE);

        // 32-bit protected mode, as multiboot leaves it; the loader's GDT and IDT must not be used.
        c.label("start").x(0xfa)                           // cli
                .x(0x0f, 0x01, 0x1d).abs32("idt_ptr")      // lidt [idt_ptr]
                .x(0x0f, 0x01, 0x15).abs32("gdt_ptr")      // lgdt [gdt_ptr]
                .x(0xb8).u32(0x80000000)                   // mov eax, 0x80000000
                .x(0x0f, 0xa2)                             // cpuid
                .x(0x3d).u32(0x80000001)                   // cmp eax, 0x80000001
                .x(0x72).rel8("no_long_mode")              // jb no_long_mode
                .x(0xb8).u32(0x80000001)                   // mov eax, 0x80000001
                .x(0x0f, 0xa2)                             // cpuid
                .x(0x0f, 0xba, 0xe2, 0x1d)                 // bt edx, 29 (LM)
                .x(0x73).rel8("no_long_mode");             // jae no_long_mode
        // PD: 512 entries of 2 MiB (present, writable, PS); one PDPT and one PML4 entry above it.
        c.x(0xbf).u32(PD)                                  // mov edi, PD
                .x(0xb8).u32(0x83)                         // mov eax, 0x83
                .x(0xb9).u32(512)                          // mov ecx, 512
                .label("fill").x(0x89, 0x07)               // mov [edi], eax
                .x(0x05).u32(0x200000)                     // add eax, 0x200000
                .x(0x83, 0xc7, 0x08)                       // add edi, 8
                .x(0xe2).rel8("fill")                      // loop fill
                .x(0xc7, 0x05).u32(PDPT).u32(PD | 3)       // mov dword [PDPT], PD | 3
                .x(0xc7, 0x05).u32(PML4).u32(PDPT | 3)     // mov dword [PML4], PDPT | 3
                .x(0xb8).u32(PML4)                         // mov eax, PML4
                .x(0x0f, 0x22, 0xd8)                       // mov cr3, eax
                .x(0x0f, 0x20, 0xe0)                       // mov eax, cr4
                .x(0x83, 0xc8, 0x20)                       // or eax, 0x20 (PAE)
                .x(0x0f, 0x22, 0xe0)                       // mov cr4, eax
                .x(0xb9).u32(0xC0000080)                   // mov ecx, 0xC0000080 (EFER)
                .x(0x0f, 0x32)                             // rdmsr
                .x(0x0d).u32(0x100)                        // or eax, 0x100 (LME)
                .x(0x0f, 0x30)                             // wrmsr
                .x(0x0f, 0x20, 0xc0)                       // mov eax, cr0
                .x(0x0d).u32(0x80000001)                   // or eax, 0x80000001 (PG | PE)
                .x(0x0f, 0x22, 0xc0)                       // mov cr0, eax
                .x(0xea).abs32("long_mode").u16(0x08);     // jmp 0x08:long_mode
        c.label("no_long_mode").x(0xbe).abs32("no_long_mode_msg") // mov esi, no_long_mode_msg
                .x(0xb9).u32(NO_LONG_MODE_MESSAGE.length())        // mov ecx, length
                .x(0xb3, X86_NO_LONG_MODE_VALUE)                   // mov bl, X86_NO_LONG_MODE_VALUE
                .x(0xe9).rel32("print_and_exit");                  // jmp print_and_exit

        // 64-bit mode. Unikraft reloads the data segments too; KVM checks them on some exits.
        c.label("long_mode").x(0xb8).u32(0x10)             // mov eax, 0x10
                .x(0x8e, 0xd8)                             // mov ds, eax
                .x(0x8e, 0xc0)                             // mov es, eax
                .x(0x8e, 0xd0)                             // mov ss, eax
                .x(0x0f, 0x20, 0xc0)                       // mov rax, cr0
                .x(0x48, 0x83, 0xe0, 0xf3)                 // and rax, ~0xc (EM, TS)
                .x(0x48, 0x83, 0xc8, 0x22)                 // or rax, 0x22 (MP, NE)
                .x(0x0f, 0x22, 0xc0)                       // mov cr0, rax
                .x(0x0f, 0x20, 0xe0)                       // mov rax, cr4
                .x(0x48, 0x0d).u32(0x600)                  // or rax, 0x600 (OSFXSR, OSXMMEXCPT)
                .x(0x0f, 0x22, 0xe0)                       // mov cr4, rax
                .x(0xb8).u32(1)                            // mov eax, 1
                .x(0x0f, 0xa2)                             // cpuid
                .x(0x89, 0xcd)                             // mov ebp, ecx (kept: CPUID.1:ECX)
                .x(0x0f, 0xba, 0xe5, 26)                   // bt ebp, 26 (XSAVE)
                .x(0x73).rel8("no_xsave")                  // jae no_xsave
                .x(0x0f, 0x20, 0xe0)                       // mov rax, cr4
                .x(0x48, 0x0f, 0xba, 0xe8, 18)             // bts rax, 18 (OSXSAVE)
                .x(0x0f, 0x22, 0xe0)                       // mov cr4, rax
                .x(0xb8).u32(3)                            // mov eax, 3 (x87 | SSE)
                .x(0x0f, 0xba, 0xe5, 28)                   // bt ebp, 28 (AVX)
                .x(0x73).rel8("xcr0")                      // jae xcr0
                .x(0x83, 0xc8, 0x04)                       // or eax, 4 (AVX)
                .label("xcr0").x(0x31, 0xc9)               // xor ecx, ecx
                .x(0x31, 0xd2)                             // xor edx, edx
                .x(0x0f, 0x01, 0xd1)                       // xsetbv
                .label("no_xsave").x(0x0f, 0xae, 0x14, 0x25).abs32("mxcsr") // ldmxcsr [mxcsr]
                .x(0x0f, 0xae, 0x04, 0x25).u32(FXSAVE_AREA)              // fxsave [FXSAVE_AREA]
                .x(0x0f, 0xba, 0xe5, 26)                   // bt ebp, 26 (XSAVE)
                .x(0x73).rel8("sse")                       // jae sse
                .x(0xb8).u32(-1)                           // mov eax, -1 (every component XCR0 enables)
                .x(0xba).u32(-1)                           // mov edx, -1
                .x(0x0f, 0xae, 0x24, 0x25).u32(XSAVE_AREA) // xsave [XSAVE_AREA]
                .label("sse").x(0x66, 0x0f, 0xef, 0xc0)    // pxor xmm0, xmm0
                .x(0x0f, 0x29, 0x04, 0x25).u32(FXSAVE_AREA) // movaps [FXSAVE_AREA], xmm0
                // AVX is enabled in XCR0 only when XSAVE is there as well.
                .x(0x89, 0xe8)                             // mov eax, ebp
                .x(0x25).u32(0x14000000)                   // and eax, XSAVE | AVX
                .x(0x3d).u32(0x14000000)                   // cmp eax, XSAVE | AVX
                .x(0x75).rel8("tsc")                       // jne tsc
                .x(0xc5, 0xfc, 0x57, 0xc0)                 // vxorps ymm0, ymm0, ymm0
                .label("tsc").x(0x0f, 0x31)                // rdtsc
                .x(0xbe).abs32("ready")                    // mov esi, ready
                .x(0xb9).u32(READY_MESSAGE.length())       // mov ecx, length
                .x(0xb3, X86_READY_VALUE);                 // mov bl, X86_READY_VALUE
        // Encodes the same in 32-bit and 64-bit mode, so the no-long-mode path shares it. ESI/RSI: text,
        // ECX/RCX: its length, BL: the isa-debug-exit value.
        c.label("print_and_exit").x(0x66, 0xba, 0xfd, 0x03) // mov dx, 0x3fd (COM1 line status)
                .label("wait").x(0xec)                     // in al, dx
                .x(0xa8, 0x20)                             // test al, 0x20 (transmit holding register empty)
                .x(0x74).rel8("wait")                      // je wait
                .x(0x66, 0xba, 0xf8, 0x03)                 // mov dx, 0x3f8 (COM1 data)
                .x(0xac)                                   // lodsb
                .x(0xee)                                   // out dx, al
                .x(0xe2).rel8("print_and_exit")            // loop print_and_exit
                .x(0x88, 0xd8)                             // mov al, bl
                .x(0x66, 0xba, 0x01, 0x05)                 // mov dx, 0x501 (isa-debug-exit)
                .x(0xee)                                   // out dx, al
                .x(0x0f, 0x0b);                            // ud2: without isa-debug-exit, a triple fault
        if (c.size() > X86_BSS - X86_LOAD) {
            throw new IllegalStateException("the x86_64 probe guest's code reaches into its bss");
        }
        return c.link(X86_LOAD);
    }

    private static byte[] arm64() {
        Code c = new Code();
        // Linux arm64 Image header. text_offset 0: QEMU loads at RAM + 2 MiB; the code is position independent.
        c.label("head").a64(0x14000000, Ref.A64_IMM26, "start") // b start
                .u32(0).u64(0)                             // code1, text_offset
                .a64Size()                                 // image_size
                .u64(0xa)                                  // flags: little endian, 4 KiB pages, anywhere
                .u64(0).u64(0).u64(0)
                .u32(0x644d5241)                           // "ARM\x64"
                .u32(0);
        // VBAR first: with an unknown VBAR_EL1 a trap would jump into flash and loop there.
        c.label("start").a64(0x10000000, Ref.A64_ADR, "vectors") // adr x0, vectors
                .a64(0xd518c000)                           // msr vbar_el1, x0
                .a64(0xd280001c)                           // mov x28, #0 (1 once an exception was taken)
                .a64(0xd2a00600)                           // mov x0, #0x300000 (CPACR_EL1.FPEN = 0b11)
                .a64(0xd5181040)                           // msr cpacr_el1, x0
                .a64(0xd5033fdf)                           // isb
                .a64(0x1e6e1000)                           // fmov d0, #1.0
                .a64(0x1e602801)                           // fadd d1, d0, d0
                .a64(0x4f00e422)                           // movi v2.16b, #1
                .a64(0x4e228443)                           // add v3.16b, v2.16b, v2.16b
                .a64(0xd53be042)                           // mrs x2, cntvct_el0
                .a64(0x10000003, Ref.A64_ADR, "ready")     // adr x3, ready
                .a64(0xd2800004 | READY_MESSAGE.length() << 5); // mov x4, #length
        // x3: text, x4: its length; then PSCI SYSTEM_OFF, and wfi should that return.
        c.label("print_and_off").a64(0xd2a12001)           // mov x1, #0x9000000 (PL011)
                .label("wait").a64(0xb9401825)             // ldr w5, [x1, #0x18] (UARTFR)
                .a64(0x37280005, Ref.A64_IMM14, "wait")    // tbnz w5, #5, wait (TXFF)
                .a64(0x38401465)                           // ldrb w5, [x3], #1
                .a64(0xb9000025)                           // str w5, [x1] (UARTDR)
                .a64(0xf1000484)                           // subs x4, x4, #1
                .a64(0x54000001, Ref.A64_IMM19, "wait")    // b.ne wait
                .a64(0x52b08000)                           // mov w0, #0x84000000
                .a64(0x72800100)                           // movk w0, #0x8 (SYSTEM_OFF)
                .a64(0xd4000002)                           // hvc #0
                .label("halt").a64(0xd503207f)             // wfi
                .a64(0x14000000, Ref.A64_IMM26, "halt");   // b halt
        // A second exception (the hvc itself trapping) must not print forever.
        c.label("exception").a64(0xb500001c, Ref.A64_IMM19, "halt") // cbnz x28, halt
                .a64(0xd280003c)                           // mov x28, #1
                .a64(0x10000003, Ref.A64_ADR, "exception_msg") // adr x3, exception_msg
                .a64(0xd2800004 | EXCEPTION_MESSAGE.length() << 5) // mov x4, #length
                .a64(0x14000000, Ref.A64_IMM26, "print_and_off"); // b print_and_off
        c.label("ready").ascii(READY_MESSAGE);
        c.label("exception_msg").ascii(EXCEPTION_MESSAGE);
        c.align(2048).label("vectors");
        for (int entry = 0; entry < 16; entry++) {
            c.align(128).a64(0x14000000, Ref.A64_IMM26, "exception"); // b exception
        }
        c.align(128);
        return c.link(0);
    }

    private enum Ref { ABS32, REL8, REL32, A64_ADR, A64_IMM14, A64_IMM19, A64_IMM26, A64_IMAGE_SIZE }

    /**
     * Little-endian machine code with named labels; {@link #link} fills in the references, so that the
     * bytes beside each comment are the assembler's with the label's field left zero.
     */
    private static final class Code {
        private record Use(int at, Ref ref, String label) {
        }

        private byte[] bytes = new byte[256];
        private int size;
        private final Map<String, Integer> labels = new HashMap<>();
        private final List<Use> uses = new ArrayList<>();

        int size() {
            return size;
        }

        Code label(String name) {
            if (labels.putIfAbsent(name, size) != null) {
                throw new IllegalStateException("label " + name + " defined twice");
            }
            return this;
        }

        Code x(int... values) {
            for (int v : values) {
                if (size == bytes.length) {
                    bytes = Arrays.copyOf(bytes, size * 2);
                }
                bytes[size++] = (byte) v;
            }
            return this;
        }

        Code u16(int v) {
            return x(v, v >> 8);
        }

        Code u32(int v) {
            return x(v, v >> 8, v >> 16, v >> 24);
        }

        Code u64(long v) {
            return u32((int) v).u32((int) (v >>> 32));
        }

        Code ascii(String s) {
            for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
                x(b);
            }
            return this;
        }

        Code align(int n) {
            while (size % n != 0) {
                x(0);
            }
            return this;
        }

        Code abs32(String label) {
            return use(Ref.ABS32, label).u32(0);
        }

        Code rel8(String label) {
            return use(Ref.REL8, label).x(0);
        }

        Code rel32(String label) {
            return use(Ref.REL32, label).u32(0);
        }

        Code a64(int word) {
            return u32(word);
        }

        Code a64(int word, Ref ref, String label) {
            return use(ref, label).u32(word);
        }

        Code a64Size() {
            return use(Ref.A64_IMAGE_SIZE, null).u64(0);
        }

        private Code use(Ref ref, String label) {
            uses.add(new Use(size, ref, label));
            return this;
        }

        /** The code as loaded at {@code base}. */
        byte[] link(int base) {
            ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(bytes, size)).order(ByteOrder.LITTLE_ENDIAN);
            for (Use u : uses) {
                Integer target = u.ref() == Ref.A64_IMAGE_SIZE ? Integer.valueOf(size) : labels.get(u.label());
                if (target == null) {
                    throw new IllegalStateException("label " + u.label() + " is not defined");
                }
                int at = u.at();
                int off = target - at;
                int word = out.getInt(at);
                switch (u.ref()) {
                    case ABS32 -> out.putInt(at, base + target);
                    case REL8 -> out.put(at, (byte) fits(off - 1, 8, u));
                    case REL32 -> out.putInt(at, off - 4);
                    case A64_ADR -> out.putInt(at, word | (off & 3) << 29 | fits(off >> 2, 19, u) << 5);
                    case A64_IMM14 -> out.putInt(at, word | fits(off >> 2, 14, u) << 5);
                    case A64_IMM19 -> out.putInt(at, word | fits(off >> 2, 19, u) << 5);
                    case A64_IMM26 -> out.putInt(at, word | fits(off >> 2, 26, u));
                    case A64_IMAGE_SIZE -> out.putLong(at, size);
                }
            }
            return out.array();
        }

        /** {@code value} as a {@code bits}-bit two's complement field. */
        private static int fits(int value, int bits, Use u) {
            if (value >> (bits - 1) != 0 && value >> (bits - 1) != -1) {
                throw new IllegalStateException(u.label() + " is too far for a " + bits + "-bit field");
            }
            return value & ((1 << bits) - 1);
        }
    }
}
