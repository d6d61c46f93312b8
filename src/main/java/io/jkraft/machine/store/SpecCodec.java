package io.jkraft.machine.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.jkraft.common.UserException;
import io.jkraft.machine.MachineSpec;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link MachineSpec} as the JSON kept in the store. Paths are plain strings rather than Jackson's
 * default {@code file://} URIs, so the column stays readable with the sqlite3 shell.
 */
final class SpecCodec {
    private final ObjectMapper mapper;

    SpecCodec() {
        SimpleModule paths = new SimpleModule("paths-as-strings");
        paths.addSerializer(Path.class, new JsonSerializer<>() {
            @Override
            public void serialize(Path value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(value.toString());
            }
        });
        paths.addDeserializer(Path.class, new JsonDeserializer<>() {
            @Override
            public Path deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                return Path.of(p.getValueAsString());
            }
        });
        this.mapper = new ObjectMapper().registerModule(paths)
                // A record written by a newer jkraft with more fields stays readable.
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    String write(MachineSpec spec) {
        try {
            return mapper.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a machine spec as JSON", e);
        }
    }

    MachineSpec read(String id, String json) {
        try {
            return mapper.readValue(json, MachineSpec.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new UserException("the stored spec of machine " + id + " is unreadable: " + e.getMessage(),
                    "remove the machine with `jkraft rm " + id + "`", e);
        }
    }
}
