package io.jkraft.machine.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.jkraft.common.Architecture;
import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.Ipv4Cidr;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.Acceleration;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.NetworkInterface;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link MachineSpec} as the JSON kept in the store: one object whose fields are the record's
 * components, paths as plain strings (readable with the sqlite3 shell).
 *
 * <p>Written and read with Jackson's streaming API rather than data binding: every {@code jkraft run}
 * writes and reads a spec before QEMU starts, and binding a record costs tens of milliseconds of
 * introspection in a fresh JVM. Fields this version does not know are skipped, so a record written by a
 * newer jkraft stays readable.
 */
final class SpecCodec {
    private final JsonFactory json = new JsonFactory();

    String write(MachineSpec spec) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", spec.name());
            writePath(g, "kernel", spec.kernel());
            g.writeStringField("platform", spec.platform() == null ? null : spec.platform().kraftName());
            g.writeStringField("architecture", spec.architecture() == null ? null : spec.architecture().kraftName());
            g.writeNumberField("memoryBytes", spec.memoryBytes());
            g.writeNumberField("cpus", spec.cpus());
            writeStrings(g, "kernelArgs", spec.kernelArgs());
            writeStrings(g, "appArgs", spec.appArgs());
            g.writeObjectFieldStart("env");
            for (Map.Entry<String, String> e : new TreeMap<>(spec.env()).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("ports");
            for (MachineSpec.PortMapping p : spec.ports()) {
                g.writeStartObject();
                g.writeStringField("hostIp", p.hostIp());
                g.writeNumberField("hostPort", p.hostPort());
                g.writeNumberField("guestPort", p.guestPort());
                g.writeStringField("protocol", p.protocol());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("volumes");
            for (MachineSpec.VolumeMapping v : spec.volumes()) {
                g.writeStartObject();
                writePath(g, "host", v.host());
                g.writeStringField("guest", v.guest());
                g.writeBooleanField("readOnly", v.readOnly());
                g.writeEndObject();
            }
            g.writeEndArray();
            writePath(g, "initrd", spec.initrd());
            g.writeStringField("accel", spec.acceleration().word());
            if (spec.gdb() instanceof GdbEndpoint.UnixSocket(Path socket)) {
                g.writeStringField("gdbSocket", socket.toString());
            } else if (spec.gdb() instanceof GdbEndpoint.Tcp(int port)) {
                g.writeNumberField("gdbPort", port);
            }
            if (!spec.networks().isEmpty()) {
                g.writeArrayFieldStart("networks");
                for (NetworkInterface n : spec.networks()) {
                    g.writeStartObject();
                    g.writeStringField("network", n.network());
                    g.writeStringField("bridge", n.bridge());
                    g.writeStringField("tap", n.tap());
                    g.writeStringField("mac", n.mac());
                    g.writeStringField("ip", n.ip() == null ? null : n.ip().toString());
                    g.writeStringField("gateway", n.gateway());
                    if (n.asked()) {
                        g.writeBooleanField("asked", true);
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a machine spec as JSON", e);
        }
        return out.toString();
    }

    MachineSpec read(String id, String text) {
        try (JsonParser p = json.createParser(text)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT);
            Fields f = new Fields();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (field) {
                    case "name" -> f.name = p.getText();
                    case "kernel" -> f.kernel = Path.of(p.getText());
                    case "platform" -> f.platform = Platform.parse(p.getText());
                    case "architecture" -> f.architecture = Architecture.parse(p.getText());
                    case "memoryBytes" -> f.memoryBytes = p.getLongValue();
                    case "cpus" -> f.cpus = p.getIntValue();
                    case "kernelArgs" -> f.kernelArgs = strings(p);
                    case "appArgs" -> f.appArgs = strings(p);
                    case "env" -> f.env = env(p);
                    case "ports" -> f.ports = ports(p);
                    case "volumes" -> f.volumes = volumes(p);
                    case "initrd" -> f.initrd = Path.of(p.getText());
                    // Written by jkraft before --accel: true (as the host allows) or false (-W).
                    case "acceleration" -> f.acceleration = p.getBooleanValue() ? Acceleration.AUTO : Acceleration.TCG;
                    case "accel" -> f.acceleration = Acceleration.parse(p.getText());
                    case "gdbPort" -> f.gdb = new GdbEndpoint.Tcp(p.getIntValue());
                    case "gdbSocket" -> f.gdb = new GdbEndpoint.UnixSocket(Path.of(p.getText()));
                    case "networks" -> f.networks = networks(p);
                    default -> p.skipChildren();
                }
            }
            return new MachineSpec(f.name, f.kernel, f.platform, f.architecture, f.memoryBytes, f.cpus, f.kernelArgs,
                    f.appArgs, f.env, f.ports, f.volumes, f.initrd, f.acceleration, f.gdb, f.networks);
        } catch (IOException | RuntimeException e) {
            throw new UserException("the stored spec of machine " + id + " is unreadable: " + e.getMessage(),
                    "remove the machine with `jkraft rm " + id + "`", e);
        }
    }

    /** The spec's fields as they are read, with the defaults of a field that is absent. */
    private static final class Fields {
        String name;
        Path kernel;
        Platform platform;
        Architecture architecture;
        long memoryBytes;
        int cpus = 1;
        List<String> kernelArgs = List.of();
        List<String> appArgs = List.of();
        Map<String, String> env = Map.of();
        List<MachineSpec.PortMapping> ports = List.of();
        List<MachineSpec.VolumeMapping> volumes = List.of();
        Path initrd;
        Acceleration acceleration = Acceleration.AUTO;
        GdbEndpoint gdb;
        List<NetworkInterface> networks = List.of();
    }

    private static List<NetworkInterface> networks(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY);
        List<NetworkInterface> networks = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Map<String, String> fields = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_TRUE) {
                    fields.put(field, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            String ip = fields.get("ip");
            networks.add(new NetworkInterface(fields.get("network"), fields.get("bridge"), fields.get("tap"),
                    fields.get("mac"), ip == null ? null : Ipv4Cidr.parse(ip, 32, "ip"), fields.get("gateway"),
                    "true".equals(fields.get("asked"))));
        }
        return networks;
    }

    private static void writePath(JsonGenerator g, String field, Path path) throws IOException {
        if (path == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, path.toString());
        }
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static List<String> strings(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY);
        List<String> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            values.add(p.getText());
        }
        return values;
    }

    private static Map<String, String> env(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT);
        Map<String, String> env = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            env.put(key, p.getText());
        }
        return env;
    }

    private static List<MachineSpec.PortMapping> ports(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY);
        List<MachineSpec.PortMapping> ports = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String hostIp = null;
            String protocol = "tcp";
            int hostPort = 0;
            int guestPort = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "hostIp" -> hostIp = p.getText();
                    case "hostPort" -> hostPort = p.getIntValue();
                    case "guestPort" -> guestPort = p.getIntValue();
                    case "protocol" -> protocol = p.getText();
                    default -> p.skipChildren();
                }
            }
            ports.add(new MachineSpec.PortMapping(hostIp, hostPort, guestPort, protocol));
        }
        return ports;
    }

    private static List<MachineSpec.VolumeMapping> volumes(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY);
        List<MachineSpec.VolumeMapping> volumes = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Path host = null;
            String guest = null;
            boolean readOnly = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "host" -> host = Path.of(p.getText());
                    case "guest" -> guest = p.getText();
                    case "readOnly" -> readOnly = p.getBooleanValue();
                    default -> p.skipChildren();
                }
            }
            volumes.add(new MachineSpec.VolumeMapping(host, guest, readOnly));
        }
        return volumes;
    }

    private static void expect(JsonParser p, JsonToken got, JsonToken wanted) throws IOException {
        if (got != wanted) {
            throw new IOException("expected " + wanted + " but found " + got + " at " + p.currentLocation());
        }
    }
}
