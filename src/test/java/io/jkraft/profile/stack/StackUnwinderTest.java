package io.jkraft.profile.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.Architecture;
import io.jkraft.profile.sample.GuestMemory;
import io.jkraft.profile.sample.RegisterSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The unwinder on the chain program's real code (64-bit x86 from the host's gcc, the fixture kernels' i386 and
 * arm64) with stacks laid out by hand in a byte array standing in for guest memory ({@link StackImage}).
 */
class StackUnwinderTest {
    private static final long SP = 0x80_0000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "i386", "arm64"})
    void aFramelessLeafKeepsItsCallerAndTheWholeChainIsWalkedInOneRead(String variant) throws Exception {
        ChainCode code = ChainCode.of(variant, dir);
        StackImage stack = chainStack(code, true);
        long pcInC = code.start("c") + 8;

        List<Frame> frames = new StackUnwinder(code.symbols()).unwind(stack.registers(pcInC, lrIntoB(code)), stack);

        assertThat(frames).extracting(Frame::name).containsExactly("c", "b", "a", "main");
        assertThat(frames.get(0).symbol().offset()).isEqualTo(8);
        assertThat(frames.get(1).pc()).isEqualTo(code.returnIntoCaller().get("b"));
        assertThat(stack.reads).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "i386", "arm64"})
    void aFunctionWithItsFrameSetUpIsWalkedFromTheFramePointer(String variant) throws Exception {
        ChainCode code = ChainCode.of(variant, dir);
        StackImage stack = chainStack(code, false);
        // In b right after its call to c returned: b's frame is in place; a stale lr must not be used.
        long pcInB = code.returnIntoCaller().get("b");

        List<Frame> frames = new StackUnwinder(code.symbols()).unwind(stack.registers(pcInB, 0x1234), stack);

        assertThat(frames).extracting(Frame::name).containsExactly("b", "a", "main");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "i386", "arm64"})
    void atTheFirstInstructionOfAFramedFunctionTheCallerIsFoundBeforeTheFrameExists(String variant) throws Exception {
        ChainCode code = ChainCode.of(variant, dir);
        StackImage stack = chainStack(code, true); // [sp] (x86) or lr (arm64) returns into b: we are entering c's caller's callee
        long entry = code.start("c");

        List<Frame> frames = new StackUnwinder(code.symbols()).unwind(stack.registers(entry, lrIntoB(code)), stack);

        assertThat(frames).extracting(Frame::name).containsExactly("c", "b", "a", "main");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "i386"})
    void afterPushingTheFramePointerButBeforeSettingItTheReturnAddressIsOneWordUp(String variant) throws Exception {
        ChainCode code = ChainCode.of(variant, dir);
        int w = code.symbols().architecture().wordSize();
        StackImage stack = chainStack(code, false);
        // b has just run "push %rbp": [sp] = a's frame pointer, [sp + w] = the return address into a.
        long sp = SP - 2L * w;
        stack.put(sp, stack.fpOfA).put(sp + w, code.returnIntoCaller().get("a"));
        RegisterSnapshot registers = new RegisterSnapshot(Architecture.X86_64, code.start("b") + 1, sp, stack.fpOfA, 0);

        List<Frame> frames = new StackUnwinder(code.symbols()).unwind(registers, stack);

        assertThat(frames).extracting(Frame::name).containsExactly("b", "a", "main");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void aFramePointerPointingAtItselfEndsTheWalk(String variant) throws Exception {
        ChainCode code = ChainCode.of(variant, dir);
        int w = code.symbols().architecture().wordSize();
        StackImage stack = new StackImage(w);
        long fp = SP + 0x40;
        stack.put(fp, fp).put(fp + w, code.returnIntoCaller().get("a"));
        List<Frame> frames = new StackUnwinder(code.symbols())
                .unwind(new RegisterSnapshot(architectureOf(variant), code.returnIntoCaller().get("b"), SP, fp, 0), stack);

        assertThat(frames).extracting(Frame::name).containsExactly("b", "a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void aLoopOfTwoFramesEndsTheWalk(String variant) throws Exception {
        ChainCode code = ChainCode.of(variant, dir);
        int w = code.symbols().architecture().wordSize();
        StackImage stack = new StackImage(w);
        long fp1 = SP + 0x40;
        long fp2 = SP + 0x80;
        stack.put(fp1, fp2).put(fp1 + w, code.returnIntoCaller().get("a"));
        stack.put(fp2, fp1).put(fp2 + w, code.returnIntoCaller().get("main"));
        List<Frame> frames = new StackUnwinder(code.symbols())
                .unwind(new RegisterSnapshot(architectureOf(variant), code.returnIntoCaller().get("b"), SP, fp1, 0), stack);

        assertThat(frames).extracting(Frame::name).containsExactly("b", "a", "main");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void implausibleFramePointersAndReturnAddressesEndTheWalk(String variant) throws Exception {
        ChainCode code = ChainCode.of(variant, dir);
        int w = code.symbols().architecture().wordSize();
        long pc = code.returnIntoCaller().get("b");
        StackUnwinder unwinder = new StackUnwinder(code.symbols());
        StackImage stack = new StackImage(w);
        long misaligned = SP + 0x41;
        long far = SP + StackUnwinder.STACK_RANGE + 0x100;
        long below = SP - 0x100;
        for (long fp : new long[] {0, misaligned, far, below}) {
            assertThat(unwinder.unwind(new RegisterSnapshot(architectureOf(variant), pc, SP, fp, 0), stack))
                    .as("fp 0x%x", fp).extracting(Frame::name).containsExactly("b");
        }
        long fp = SP + 0x40;
        stack.put(fp, fp + 0x40).put(fp + w, 0x10); // a return address in no function
        assertThat(unwinder.unwind(new RegisterSnapshot(architectureOf(variant), pc, SP, fp, 0), stack))
                .extracting(Frame::name).containsExactly("b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void aDeepChainStopsAtTheDepthLimitAndFramesBeyondTheWindowAreReadOneByOne(String variant) throws Exception {
        ChainCode code = ChainCode.of(variant, dir);
        int w = code.symbols().architecture().wordSize();
        StackImage stack = new StackImage(w);
        long step = 0x100; // 200 frames span 50 KiB: most lie beyond the first window
        for (int i = 0; i < 200; i++) {
            long fp = SP + 0x40 + i * step;
            stack.put(fp, fp + step).put(fp + w, code.returnIntoCaller().get("a"));
        }
        List<Frame> frames = new StackUnwinder(code.symbols())
                .unwind(new RegisterSnapshot(architectureOf(variant), code.returnIntoCaller().get("b"), SP, SP + 0x40, 0), stack);

        assertThat(frames).hasSize(StackUnwinder.MAX_DEPTH);
        assertThat(frames.subList(1, frames.size())).extracting(Frame::name).containsOnly("a");
        long beyondWindow = (SP + 0x40 + 127 * step - (SP + StackReader.WINDOW)) / step + 1;
        assertThat(stack.reads).isBetween(beyondWindow, beyondWindow + 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void unreadableMemoryGivesTheFramesFoundSoFar(String variant) throws Exception {
        ChainCode code = ChainCode.of(variant, dir);
        GuestMemory gone = (address, length) -> {
            throw new IOException("the guest has gone");
        };
        List<Frame> frames = new StackUnwinder(code.symbols()).unwind(
                new RegisterSnapshot(architectureOf(variant), code.returnIntoCaller().get("b"), SP, SP + 0x40, 0), gone);

        assertThat(frames).extracting(Frame::name).containsExactly("b");
    }

    /** arm64's link register returns into b; x86 keeps the return address on the stack, where lr is ignored. */
    private static long lrIntoB(ChainCode code) {
        return code.returnIntoCaller().get("b");
    }

    /**
     * main, a and b with frame records, the walk starting in c (leaf: [sp] returns into b) or in b. The records
     * are spaced like real ones: 4 words per frame; main's saved frame pointer is 0, the outermost frame.
     */
    private static StackImage chainStack(ChainCode code, boolean inLeaf) {
        int w = code.symbols().architecture().wordSize();
        StackImage stack = new StackImage(w);
        long fpOfB = SP + 4L * w;
        long fpOfA = fpOfB + 4L * w;
        long fpOfMain = fpOfA + 4L * w;
        if (inLeaf) {
            stack.put(SP, code.returnIntoCaller().get("b"));
        }
        stack.put(fpOfB, fpOfA).put(fpOfB + w, code.returnIntoCaller().get("a"));
        stack.put(fpOfA, fpOfMain).put(fpOfA + w, code.returnIntoCaller().get("main"));
        stack.put(fpOfMain, 0).put(fpOfMain + w, 0);
        stack.fpOfA = fpOfA;
        stack.start = fpOfB;
        stack.architecture = code.symbols().architecture() == StackArchitecture.ARM64 ? Architecture.ARM64 : Architecture.X86_64;
        return stack;
    }

    /** What runs the code of a variant: the fixture core's i386 kernels run as x86_64. */
    private static Architecture architectureOf(String variant) {
        return variant.equals("arm64") ? Architecture.ARM64 : Architecture.X86_64;
    }

    /** Guest memory as a byte array from {@code SP - 4 KiB} over 64 KiB, counting reads (a fake of the gdbstub's reads). */
    static final class StackImage implements GuestMemory {
        private static final long BASE = SP - 4096;
        private final byte[] bytes = new byte[64 * 1024 + 4096];
        private final int wordSize;
        long reads;
        long fpOfA;
        long start;
        Architecture architecture = Architecture.X86_64;

        StackImage(int wordSize) {
            this.wordSize = wordSize;
        }

        StackImage put(long address, long value) {
            for (int i = 0; i < wordSize; i++) {
                bytes[(int) (address - BASE) + i] = (byte) (value >>> (8 * i));
            }
            return this;
        }

        RegisterSnapshot registers(long pc, long lr) {
            return new RegisterSnapshot(architecture, pc, SP, start, lr);
        }

        @Override
        public byte[] read(long address, int length) throws IOException {
            reads++;
            long offset = address - BASE;
            if (offset < 0 || offset + length > bytes.length) {
                throw new IOException("unmapped: 0x" + Long.toHexString(address));
            }
            byte[] copy = new byte[length];
            System.arraycopy(bytes, (int) offset, copy, 0, length);
            return copy;
        }
    }
}
