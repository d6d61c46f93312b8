package io.jkraft.machine.api;

import io.jkraft.common.Ipv4Cidr;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec.PortMapping;
import io.jkraft.machine.api.MachineSpec.VolumeMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the values of `run`'s flags the way kraft and Docker users write them. */
public final class RunFlags {
    private static final Pattern MEMORY = Pattern.compile("(?i)^(\\d+)\\s*(ki|mi|gi|k|m|g|kb|mb|gb|b)?$");
    private static final Pattern PORT = Pattern.compile(
            "^(?:(\\[[0-9a-fA-F:]+]|[0-9.]+|localhost):)?(\\d{1,5}):(\\d{1,5})(?:/(tcp|udp))?$");
    public static final String DEFAULT_HOST_IP = "127.0.0.1";

    private RunFlags() {}

    /**
     * Memory as {@code -M} takes it: a number with a unit (Ki, Mi, Gi, K, M, G), or a bare number of MiB
     * as kraft reads it.
     */
    public static long memory(String text) {
        Matcher m = MEMORY.matcher(text.strip());
        if (!m.matches()) {
            throw new UserException("-M " + text + ": not a memory size", "write it like 64Mi, 512M or 1Gi");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "mi" : m.group(2).toLowerCase(Locale.ROOT);
        long bytes = switch (unit) {
            case "b" -> n;
            case "k", "ki", "kb" -> n << 10;
            case "m", "mi", "mb" -> n << 20;
            default -> n << 30;
        };
        if (bytes < (1L << 20)) {
            throw new UserException("-M " + text + ": a unikernel needs at least 1Mi of memory", "try -M 64Mi");
        }
        return bytes;
    }

    /** {@code [ip:]host:guest[/tcp|/udp]}; the host side binds 127.0.0.1 unless an address is given. */
    public static PortMapping port(String text) {
        Matcher m = PORT.matcher(text.strip());
        if (!m.matches()) {
            throw new UserException("-p " + text + ": not a port mapping",
                    "write it as HOST:GUEST, IP:HOST:GUEST or HOST:GUEST/udp, e.g. -p 8080:80");
        }
        int host = Integer.parseInt(m.group(2));
        int guest = Integer.parseInt(m.group(3));
        if (host < 1 || host > 65535 || guest < 1 || guest > 65535) {
            throw new UserException("-p " + text + ": ports must be between 1 and 65535", null);
        }
        String ip = m.group(1) == null ? DEFAULT_HOST_IP : m.group(1).equals("localhost") ? DEFAULT_HOST_IP : m.group(1);
        if (ip.startsWith("[")) {
            ip = ip.substring(1, ip.length() - 1);
        }
        return new PortMapping(ip, host, guest, m.group(4) == null ? "tcp" : m.group(4));
    }

    /** A network's name: what {@code ip} accepts as a bridge's name (at most 15 characters, no '/', ':' or blanks). */
    public static final Pattern NETWORK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");

    /**
     * {@code NAME[:IP]}, kraft's {@code --network} without its gateway, DNS and host name parts: the network and,
     * when given, the guest's address in it ({@code IP} or {@code IP/PREFIX} with the network's prefix).
     */
    public static NetworkInterface network(String text) {
        String value = text.strip();
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        if (!NETWORK_NAME.matcher(name).matches()) {
            throw new UserException("--network " + text + ": '" + name + "' is not a network name",
                    "write it as NAME or NAME:IP, e.g. --network jk0:172.30.0.5; `jkraft net ls` lists the networks");
        }
        if (colon < 0) {
            return NetworkInterface.request(name, null);
        }
        String ip = value.substring(colon + 1);
        if (ip.contains(":")) {
            throw new UserException("--network " + text + ": only NAME[:IP] is supported",
                    "the gateway is the network's bridge address; drop the parts after the address");
        }
        return NetworkInterface.request(name, Ipv4Cidr.parse(ip, 32, "--network " + text));
    }

    /** {@code host:guest[:ro]}: an existing host folder and an absolute guest path. */
    public static VolumeMapping volume(String text, Path workingDir) {
        String[] parts = text.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && !parts[2].equals("ro") && !parts[2].equals("rw"))) {
            throw new UserException("-v " + text + ": not a volume", "write it as HOST_DIR:/GUEST/PATH[:ro]");
        }
        Path host = workingDir.resolve(parts[0]).toAbsolutePath().normalize();
        if (!Files.isDirectory(host)) {
            throw new UserException("-v " + text + ": " + host + " is not a folder", "create it, or fix the path");
        }
        if (!parts[1].startsWith("/")) {
            throw new UserException("-v " + text + ": the guest path must be absolute", "e.g. -v ./data:/data");
        }
        return new VolumeMapping(host, parts[1], parts.length == 3 && parts[2].equals("ro"));
    }
}
