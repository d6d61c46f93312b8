package io.jkraft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.store.MachineRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** A machine as `ps -o json` and `inspect` show it: plain fields, paths as strings. */
final class MachineJson {
    private MachineJson() {}

    /** @param exitStatus the exit status to show for a machine (MachineService#guestExitStatus) */
    static Map<String, Object> of(MachineRecord r, Function<MachineRecord, Integer> exitStatus) {
        MachineSpec s = r.spec();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("name", r.name());
        m.put("status", r.status().word());
        m.put("pid", r.pid());
        m.put("exitCode", exitStatus.apply(r));
        m.put("vmmExitCode", r.exitCode());
        m.put("error", r.error());
        m.put("created", r.createdAt() == null ? null : r.createdAt().toString());
        m.put("started", r.startedAt() == null ? null : r.startedAt().toString());
        m.put("finished", r.finishedAt() == null ? null : r.finishedAt().toString());
        m.put("kernel", s.kernel().toString());
        m.put("platform", s.platform().kraftName());
        m.put("architecture", s.architecture().kraftName());
        m.put("memoryBytes", s.memoryBytes());
        m.put("cpus", s.cpus());
        m.put("kernelArgs", s.kernelArgs());
        m.put("args", s.appArgs());
        m.put("env", s.env());
        m.put("ports", s.ports().stream().map(MachineTable::port).toList());
        m.put("volumes", s.volumes().stream().map(v -> v.host() + ":" + v.guest() + (v.readOnly() ? ":ro" : "")).toList());
        m.put("initrd", s.initrd() == null ? null : s.initrd().toString());
        m.put("gdb", s.gdb() == null ? null : s.gdb().toString());
        m.put("networks", s.networks().stream().map(n -> network(n, r.status().holdsAddresses())).toList());
        m.put("stateDir", r.stateDir().toString());
        return m;
    }

    /**
     * A NIC; one of a machine that does not run has no address (it was released), as Docker shows an exited
     * container's network with an empty IP.
     */
    static Map<String, Object> network(io.jkraft.machine.api.NetworkInterface n, boolean leased) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean ip = leased && n.ip() != null;
        m.put("network", n.network());
        m.put("ip", ip ? n.ip().ip() : null);
        m.put("prefix", ip ? n.ip().prefix() : null);
        m.put("gateway", ip ? n.gateway() : null);
        m.put("mac", n.mac());
        m.put("tap", n.tap());
        m.put("bridge", n.bridge());
        return m;
    }

    static String write(Object value) throws JsonProcessingException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    }
}
