package io.jkraft.profile.stack;

import io.jkraft.profile.sample.GuestMemory;
import io.jkraft.profile.sample.RegisterSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Walks a stopped vCPU's stack by its frame pointers, as uniprof does. A frame record is two words at the
 * frame pointer on both x86 ({@code push %rbp; mov %rsp,%rbp}) and arm64 ({@code stp x29, x30, [sp, #-n]!;
 * mov x29, sp}): [fp] is the caller's frame pointer, [fp + word] the return address into the caller.
 *
 * <p>The innermost function may not have set up its frame (a leaf compiled without one, or a pc in its
 * prologue or epilogue): {@link FrameSetup} decides that from its code, and then the caller comes from the
 * stack pointer (x86) or the link register (arm64), while the frame pointer still holds the caller's record.
 *
 * <p>The walk stops, keeping the frames found so far, at a frame pointer that is zero, misaligned, below sp,
 * more than {@link #STACK_RANGE} above sp, or not above the previous one (a loop); at a return address in no
 * known function; at {@link #MAX_DEPTH} frames; or when guest memory cannot be read.
 */
public final class StackUnwinder {
    public static final int MAX_DEPTH = 128;
    public static final long STACK_RANGE = 1L << 20;

    private final SymbolTable symbols;

    public StackUnwinder(SymbolTable symbols) {
        this.symbols = symbols;
    }

    /** The frames of the stack, innermost (the pc's function) first. */
    public List<Frame> unwind(RegisterSnapshot registers, GuestMemory memory) {
        StackArchitecture architecture = symbols.architecture();
        int word = architecture.wordSize();
        long mask = word == 8 ? -1L : 0xffff_ffffL;
        long pc = registers.pc() & mask;
        long sp = registers.sp() & mask;
        long fp = registers.fp() & mask;
        List<Frame> frames = new ArrayList<>();
        frames.add(new Frame(pc, symbols.lookup(pc).orElse(null)));
        StackReader stack = new StackReader(memory, sp, word);
        try {
            FrameSetup setup = FrameSetup.at(symbols, pc);
            if (!setup.framed()) {
                long ret = architecture.linkRegister()
                        ? registers.lr() & mask
                        : stack.word(sp + (long) setup.returnSlot() * word);
                if (!addCaller(frames, ret)) {
                    return frames;
                }
            }
            long previous = sp - 1;
            while (frames.size() < MAX_DEPTH && plausible(fp, previous, sp, word)) {
                long next = stack.word(fp); // first: beyond the window, one read then holds both words
                long ret = stack.word(fp + word);
                if (!addCaller(frames, ret)) {
                    break;
                }
                previous = fp;
                fp = next;
            }
        } catch (IOException e) {
            // An unreadable stack word ends the walk; what was found so far is still a true stack prefix.
        }
        return frames;
    }

    private static boolean plausible(long fp, long previous, long sp, int word) {
        return fp != 0 && fp % word == 0 && fp > previous && fp >= sp && fp - sp <= STACK_RANGE;
    }

    /** Adds the frame a return address returns into; false when it is in no known function. */
    private boolean addCaller(List<Frame> frames, long ret) {
        if (ret == 0) {
            return false;
        }
        // The call is the instruction before the return address, which may be the last of its function.
        Optional<Symbol> caller = symbols.lookup(ret - 1);
        if (caller.isEmpty()) {
            return false;
        }
        Symbol call = caller.get();
        frames.add(new Frame(ret, new Symbol(call.name(), call.start(), call.size(), ret - call.start())));
        return true;
    }
}
