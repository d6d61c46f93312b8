package io.jkraft.profile.flame;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The functions that cost the most samples, as {@code perf report} lists them. */
public final class TopFunctions {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One function's cost.
     *
     * @param name         the function
     * @param self         samples with the function innermost (running its own code)
     * @param total        samples with the function anywhere in the stack (a recursive one counted once per stack)
     * @param selfPercent  self as a share of all samples
     * @param totalPercent total as a share of all samples
     */
    public record FunctionCost(String name, long self, long total, double selfPercent, double totalPercent) {}

    private TopFunctions() {
    }

    /** The {@code limit} functions with the most self samples (then most total, then by name). */
    public static List<FunctionCost> bySelf(FoldedStacks stacks, int limit) {
        return costs(stacks, Comparator.comparingLong(FunctionCost::self).reversed()
                .thenComparing(Comparator.comparingLong(FunctionCost::total).reversed())
                .thenComparing(FunctionCost::name), limit);
    }

    /** The {@code limit} functions with the most total samples (then most self, then by name). */
    public static List<FunctionCost> byTotal(FoldedStacks stacks, int limit) {
        return costs(stacks, Comparator.comparingLong(FunctionCost::total).reversed()
                .thenComparing(Comparator.comparingLong(FunctionCost::self).reversed())
                .thenComparing(FunctionCost::name), limit);
    }

    /** The list as a JSON array of objects with the record's fields. */
    public static String toJson(List<FunctionCost> costs) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(costs);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<FunctionCost> costs(FoldedStacks stacks, Comparator<FunctionCost> order, int limit) {
        Map<String, long[]> counts = new HashMap<>(); // name -> {self, total}
        for (Map.Entry<String, Long> entry : stacks.counts().entrySet()) {
            String[] frames = entry.getKey().split(";");
            long samples = entry.getValue();
            Set<String> seen = new HashSet<>();
            for (String frame : frames) {
                if (seen.add(frame)) {
                    counts.computeIfAbsent(frame, k -> new long[2])[1] += samples;
                }
            }
            counts.get(frames[frames.length - 1])[0] += samples;
        }
        long all = stacks.total();
        return counts.entrySet().stream()
                .map(e -> new FunctionCost(e.getKey(), e.getValue()[0], e.getValue()[1],
                        percent(e.getValue()[0], all), percent(e.getValue()[1], all)))
                .sorted(order).limit(Math.max(limit, 0)).toList();
    }

    private static double percent(long part, long all) {
        return all == 0 ? 0 : Math.round(10000.0 * part / all) / 100.0;
    }
}
