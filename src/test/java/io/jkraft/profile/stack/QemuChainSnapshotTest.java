package io.jkraft.profile.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.Architecture;
import io.jkraft.profile.flame.FoldedStacks;
import io.jkraft.profile.sample.GuestMemory;
import io.jkraft.profile.sample.RegisterSnapshot;
import io.jkraft.testing.ChainKernel;
import java.io.File;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chain kernel running in QEMU (TCG), stopped five times through QEMU's human monitor ({@code stop},
 * {@code info registers}, memory read with {@code xp}, {@code cont}; the fixture runs with paging off, so
 * physical addresses are its virtual ones): each real stack walks back through c, b, a and main.
 */
@Tag("qemu")
class QemuChainSnapshotTest {
    private static final int SAMPLES = 5;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void stacksOfTheRunningChainKernelEndInMainABC(String arch) throws Exception {
        Path dbg = ChainKernel.build(dir, arch);
        SymbolTable symbols = SymbolTable.load(dbg);
        Path console = dir.resolve("console.log");
        Path socket = dir.resolve("mon.sock");
        List<String> command = new ArrayList<>(List.of(arch.equals("arm64") ? "qemu-system-aarch64" : "qemu-system-x86_64"));
        if (arch.equals("arm64")) {
            command.addAll(List.of("-machine", "virt"));
        }
        command.addAll(List.of("-display", "none", "-serial", "file:" + console, "-monitor", "unix:" + socket + ",server,nowait",
                "-m", "8", "-cpu", "max", "-no-reboot", "-kernel", dbg.toString().replaceFirst("\\.dbg$", "")));
        Process qemu = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try (HumanMonitor monitor = HumanMonitor.connect(socket, console)) {
            StackUnwinder unwinder = new StackUnwinder(symbols);
            FoldedStacks folded = new FoldedStacks();
            for (int i = 0; i < SAMPLES; i++) {
                monitor.command("stop");
                RegisterSnapshot registers = monitor.registers(arch);
                List<Frame> frames = unwinder.unwind(registers, monitor);
                assertThat(frames).as("stack at %s", registers).extracting(Frame::name)
                        .startsWith("c", "b", "a", "main", "fixture_boot");
                folded.addFrames(frames.subList(0, 4));
                monitor.command("cont");
                Thread.sleep(50);
            }
            assertThat(folded.format()).isEqualTo("main;a;b;c " + SAMPLES + "\n");
        } finally {
            qemu.destroyForcibly();
            qemu.waitFor();
        }
    }

    /** QEMU's human monitor over a Unix socket; also guest (physical) memory for the unwinder. */
    static final class HumanMonitor implements GuestMemory, AutoCloseable {
        private static final String PROMPT = "\r\n(qemu) ";
        private final SocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);

        private HumanMonitor(SocketChannel channel) {
            this.channel = channel;
        }

        /** Connects once the kernel has printed that it spins (the socket exists as soon as QEMU started). */
        static HumanMonitor connect(Path socket, Path console) throws Exception {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!(Files.exists(console) && Files.readString(console, StandardCharsets.ISO_8859_1).contains(ChainKernel.SPINNING))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the chain kernel did not start spinning; console: "
                            + (Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "(none)"));
                }
                Thread.sleep(50);
            }
            HumanMonitor monitor = new HumanMonitor(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
            monitor.untilPrompt();
            return monitor;
        }

        /** Runs a command and returns its output (without the echoed command line and the prompt). */
        String command(String line) throws IOException {
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
            String reply = untilPrompt();
            int echoEnd = reply.indexOf("\r\n");
            return echoEnd < 0 ? "" : reply.substring(echoEnd + 2);
        }

        /** Reads until the prompt, which the monitor prints only after a command's whole output. */
        private String untilPrompt() throws IOException {
            StringBuilder text = new StringBuilder();
            while (!text.toString().endsWith(PROMPT)) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    throw new IOException("the monitor closed; so far: " + text);
                }
                text.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
            }
            return text.toString();
        }

        RegisterSnapshot registers(String arch) throws IOException {
            String info = command("info registers");
            if (arch.equals("arm64")) {
                return new RegisterSnapshot(Architecture.ARM64, hex(info, "PC"), hex(info, "SP"), hex(info, "X29"), hex(info, "X30"));
            }
            return new RegisterSnapshot(Architecture.X86_64, hex(info, "EIP"), hex(info, "ESP"), hex(info, "EBP"), 0);
        }

        private static long hex(String info, String register) {
            Matcher m = Pattern.compile("(?:^|\\s)" + register + "=([0-9a-f]+)").matcher(info);
            if (!m.find()) {
                throw new AssertionError("no " + register + " in:\n" + info);
            }
            return Long.parseUnsignedLong(m.group(1), 16);
        }

        @Override
        public byte[] read(long address, int length) throws IOException {
            String dump = command("xp /" + length + "xb 0x" + Long.toHexString(address));
            byte[] bytes = new byte[length];
            int n = 0;
            for (String line : dump.split("\r\n")) {
                int colon = line.indexOf(": ");
                if (colon < 0) {
                    continue;
                }
                for (String token : line.substring(colon + 2).trim().split("\\s+")) {
                    if (token.startsWith("0x") && n < length) {
                        bytes[n++] = (byte) Integer.parseInt(token.substring(2), 16);
                    }
                }
            }
            if (n != length) {
                throw new IOException("xp gave " + n + " of " + length + " bytes at 0x" + Long.toHexString(address));
            }
            return bytes;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
