package io.jkraft.machine.store;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.MachineSpec.PortMapping;
import io.jkraft.machine.api.MachineSpec.VolumeMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Machine specs for tests: only the name and ports vary. */
final class Specs {
    private Specs() {}

    static MachineSpec spec(String name, PortMapping... ports) {
        return new MachineSpec(name, Path.of("/images/hello_qemu-x86_64"), Platform.QEMU, Architecture.X86_64, 64L << 20, 1,
                List.of("vfs.fstab=[]"), List.of("--port", "8080"), Map.of("GREETING", "hi there"),
                List.of(ports), List.of(new VolumeMapping(Path.of("/srv/data"), "/data", true)),
                Path.of("/images/initrd.cpio"), io.jkraft.machine.api.Acceleration.AUTO, null);
    }

    static PortMapping port(String hostIp, int hostPort, int guestPort, String protocol) {
        return new PortMapping(hostIp, hostPort, guestPort, protocol);
    }

    static PortMapping tcp(int hostPort) {
        return new PortMapping("127.0.0.1", hostPort, 80, "tcp");
    }
}
