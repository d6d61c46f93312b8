package io.jkraft.cli;

import io.jkraft.machine.api.MachineSpec.PortMapping;
import io.jkraft.machine.store.MachineRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The `ps` table, columns as kraft shows them. */
final class MachineTable {
    private static final String[] HEADER = {"NAME", "KERNEL", "ARGS", "CREATED", "STATUS", "MEM", "PORTS", "PLAT"};

    private MachineTable() {}

    /** @param exitStatus the exit status to show for a machine (MachineService#guestExitStatus) */
    static void print(PrintWriter out, List<MachineRecord> machines, Function<MachineRecord, Integer> exitStatus) {
        // An IP column only when a machine is on a network, so the table of machines without stays kraft's.
        boolean ips = machines.stream().anyMatch(r -> !r.spec().networks().isEmpty());
        List<String[]> rows = new ArrayList<>();
        rows.add(ips ? withIp(HEADER, "IP") : HEADER);
        Instant now = Instant.now();
        for (MachineRecord r : machines) {
            String[] row = {r.name(), r.spec().kernel().getFileName().toString(),
                    String.join(" ", r.spec().appArgs()), ago(r.createdAt(), now), status(r, exitStatus),
                    (r.spec().memoryBytes() >> 20) + "Mi",
                    String.join(", ", r.spec().ports().stream().map(MachineTable::port).toList()),
                    r.spec().platform() + "/" + r.spec().architecture()};
            // A machine that does not run has released its addresses: the network alone, as Docker shows no IP.
            rows.add(ips ? withIp(row, String.join(", ", r.spec().networks().stream()
                    .map(n -> r.status().holdsAddresses() && n.ip() != null ? n.network() + ":" + n.ip().ip()
                            : n.network()).toList())) : row);
        }
        TextTable.print(out, rows);
    }

    /** The row with {@code ip} after the PORTS column. */
    private static String[] withIp(String[] row, String ip) {
        String[] out = new String[row.length + 1];
        System.arraycopy(row, 0, out, 0, 7);
        out[7] = ip;
        out[8] = row[7];
        return out;
    }

    static String port(PortMapping p) {
        return p.hostIp() + ":" + p.hostPort() + "->" + p.guestPort() + "/" + p.protocol();
    }

    private static String status(MachineRecord r, Function<MachineRecord, Integer> exitStatus) {
        return switch (r.status()) {
            case EXITED -> "exited (" + (r.exitCode() == null ? "?" : exitStatus.apply(r)) + ")";
            // The reason, so that a machine QEMU stopped (KVM's internal error, a panic) says why in the table too.
            case ERRORED -> r.error() == null || r.error().isBlank() ? "errored" : "errored: " + shorten(r.error(), 64);
            default -> r.status().word();
        };
    }

    private static String shorten(String text, int max) {
        String line = text.lines().findFirst().orElse("").strip();
        return line.length() <= max ? line : line.substring(0, max - 3) + "...";
    }

    private static String ago(Instant then, Instant now) {
        if (then == null) {
            return "";
        }
        Duration d = Duration.between(then, now);
        if (d.toSeconds() < 60) {
            return d.toSeconds() + "s ago";
        }
        if (d.toMinutes() < 60) {
            return d.toMinutes() + "m ago";
        }
        return d.toHours() < 48 ? d.toHours() + "h ago" : d.toDays() + "d ago";
    }
}
