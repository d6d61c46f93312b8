package io.jkraft.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.Invocation;
import io.jkraft.common.Ipv4Cidr;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link HostLinks} through iproute2's {@code ip} (its {@code -j} JSON where it reads), started as the command's
 * program ({@link Invocation#start}); {@code ip} is looked for in {@code /usr/sbin} and {@code /sbin} too, which a
 * user's PATH often lacks.
 */
public final class IpRoute2Links implements HostLinks {
    private static final long TIMEOUT_SECONDS = 30;
    private static final List<Path> SYSTEM_IP = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"), Path.of("/usr/bin/ip"));

    private final Invocation invocation;
    private final ObjectMapper json = new ObjectMapper();

    public IpRoute2Links(Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public List<Link> links() {
        List<Link> links = new ArrayList<>();
        for (JsonNode l : read("-j", "link", "show")) {
            boolean up = false;
            for (JsonNode flag : l.path("flags")) {
                up |= flag.asText().equals("UP");
            }
            links.add(new Link(l.path("ifname").asText(), up, text(l, "master"), text(l, "ifalias")));
        }
        return links;
    }

    @Override
    public List<Ipv4Cidr> usedRanges() {
        List<Ipv4Cidr> used = new ArrayList<>();
        for (JsonNode link : read("-j", "-4", "addr", "show")) {
            for (JsonNode a : link.path("addr_info")) {
                if (a.has("local") && a.has("prefixlen")) {
                    used.add(Ipv4Cidr.parse(a.get("local").asText() + "/" + a.get("prefixlen").asInt(), 32, "ip addr"));
                }
            }
        }
        for (JsonNode r : read("-j", "-4", "route", "show", "table", "all")) {
            String dst = r.path("dst").asText("");
            if (dst.isEmpty() || dst.equals("default")) {
                continue;
            }
            try {
                used.add(Ipv4Cidr.parse(dst, 32, "ip route"));
            } catch (UserException e) {
                // a multicast or other destination not written as an address: no range of ours can be in it
            }
        }
        return used;
    }

    @Override
    public void addBridge(String name, Ipv4Cidr address) {
        run("link", "add", name, "type", "bridge");
        run("addr", "add", address.toString(), "dev", name);
        run("link", "set", "dev", name, "up");
    }

    @Override
    public void setUp(String name, boolean up) {
        run("link", "set", "dev", name, up ? "up" : "down");
    }

    @Override
    public void addTap(String name, String bridge, String alias) {
        // Owned by this user, so that QEMU, which does not inherit a capability that is not root's, may open it.
        String uid = effectiveUid();
        if (uid == null) {
            run("tuntap", "add", "dev", name, "mode", "tap");
        } else {
            run("tuntap", "add", "dev", name, "mode", "tap", "user", uid);
        }
        run("link", "set", "dev", name, "master", bridge, "alias", alias, "up");
    }

    @Override
    public boolean delete(String name) {
        Result r = exec("link", "del", "dev", name);
        if (r.status == 0) {
            return true;
        }
        if (r.err.contains("Cannot find device") || r.err.contains("does not exist")) {
            return false;
        }
        throw failure(List.of("link", "del", "dev", name), r);
    }

    private static String effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring("Uid:".length()).strip().split("\\s+")[1];
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: the tap is left without an owner, which root's QEMU opens all the same
        }
        return null;
    }

    private JsonNode read(String... args) {
        Result r = exec(args);
        if (r.status != 0) {
            throw failure(List.of(args), r);
        }
        try {
            return r.out.isBlank() ? json.createArrayNode() : json.readTree(r.out);
        } catch (IOException e) {
            throw new UserException("cannot read the output of `ip " + String.join(" ", args) + "`: " + e.getMessage(),
                    "check that iproute2's ip supports -j (JSON), as iproute2 4.13 and later do", e);
        }
    }

    private void run(String... args) {
        Result r = exec(args);
        if (r.status != 0) {
            throw failure(List.of(args), r);
        }
    }

    private record Result(int status, String out, String err) {}

    private Result exec(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(program());
        cmd.addAll(List.of(args));
        try {
            Path err = Files.createTempFile("jkraft-ip", ".err");
            try {
                Process p = invocation.start(new ProcessBuilder(cmd).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new UserException("`ip " + String.join(" ", args) + "` did not end within " + TIMEOUT_SECONDS
                            + " s", "look for a hung ip process");
                }
                return new Result(p.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8).strip());
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UserException("cannot run ip: " + e.getMessage(), "install iproute2 (Debian: apt-get install iproute2)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while running ip");
        }
    }

    private String program() {
        return invocation.onPath("ip").or(() -> SYSTEM_IP.stream().filter(Files::isExecutable).findFirst())
                .map(Path::toString).orElse("ip");
    }

    private static UserException failure(List<String> args, Result r) {
        String command = "`ip " + String.join(" ", args) + "`";
        if (r.err.contains("Operation not permitted") || r.err.contains("Permission denied")) {
            return NetworkPrivilege.missing(command + " was refused (" + r.err + ")");
        }
        return new UserException(command + " failed: " + (r.err.isEmpty() ? "exit status " + r.status : r.err), null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
