package io.jkraft.profile.sample;

import io.jkraft.common.Architecture;

/**
 * The registers a stack walk starts from, for one vCPU at one instant.
 *
 * @param architecture the vCPU's, as the gdbstub says
 * @param pc           the program counter (x86_64 rip)
 * @param sp           the stack pointer (x86_64 rsp, arm64 sp)
 * @param fp           the frame pointer (x86_64 rbp, arm64 x29)
 * @param lr           the link register (arm64 x30); 0 on x86_64, which keeps return addresses on the stack
 */
public record RegisterSnapshot(Architecture architecture, long pc, long sp, long fp, long lr) {}
