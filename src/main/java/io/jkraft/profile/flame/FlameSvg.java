package io.jkraft.profile.flame;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A flame graph as one self-contained SVG file: the root ("all") at the bottom, each caller below its callees,
 * widths proportional to samples, a title (the tooltip in viewers) per frame with its name, samples and share.
 * No scripts: it views in any browser or image viewer. Frames narrower than {@value #MIN_WIDTH} px are left
 * out, as flamegraph.pl does, so a huge profile stays a small file.
 */
public final class FlameSvg {
    static final int WIDTH = 1200;
    private static final int FRAME_HEIGHT = 16;
    private static final int MARGIN = 10;
    private static final int TITLE_SPACE = 34;
    private static final double MIN_WIDTH = 0.1;
    private static final double CHAR_WIDTH = 6.6;

    private FlameSvg() {
    }

    /** The SVG text of the stacks' flame graph under a title. */
    public static String render(FoldedStacks stacks, String title) {
        FlameTree root = FlameTree.of(stacks);
        int levels = Math.max(root.depth(), 1);
        int height = TITLE_SPACE + levels * FRAME_HEIGHT + 2 * MARGIN;
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(height).append("\">\n")
                .append("<style>text { font-family: monospace; font-size: 11px; fill: #000; }"
                        + " .title { font-size: 16px; text-anchor: middle; } rect { stroke: #fff; stroke-width: 0.5; }</style>\n")
                .append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#f8f8f0\" stroke=\"none\"/>\n")
                .append("<text class=\"title\" x=\"").append(WIDTH / 2).append("\" y=\"22\">").append(escape(title))
                .append("</text>\n");
        if (root.total() > 0) {
            double scale = (WIDTH - 2.0 * MARGIN) / root.total();
            int bottom = height - MARGIN - FRAME_HEIGHT;
            drawFrame(svg, root, root.total(), MARGIN, bottom, scale);
        } else {
            svg.append("<text x=\"").append(MARGIN).append("\" y=\"").append(TITLE_SPACE + 12)
                    .append("\">no samples</text>\n");
        }
        return svg.append("</svg>\n").toString();
    }

    /** Writes the SVG to {@code file} (a temporary file renamed over it). */
    public static void write(FoldedStacks stacks, String title, Path file) throws IOException {
        AtomicText.write(file, render(stacks, title));
    }

    private static void drawFrame(StringBuilder svg, FlameTree node, long all, double x, int y, double scale) {
        double width = node.total() * scale;
        if (width < MIN_WIDTH) {
            return;
        }
        String label = String.format(Locale.ROOT, "%s (%,d samples, %.2f%%)", node.name(), node.total(),
                100.0 * node.total() / all);
        svg.append("<g><title>").append(escape(label)).append("</title>")
                .append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                        x, y, width, FRAME_HEIGHT - 1, colour(node.name())));
        String text = fit(node.name(), width);
        if (!text.isEmpty()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">", x + 3, y + FRAME_HEIGHT - 4))
                    .append(escape(text)).append("</text>");
        }
        svg.append("</g>\n");
        double childX = x;
        for (FlameTree child : node.children()) {
            drawFrame(svg, child, all, childX, y - FRAME_HEIGHT, scale);
            childX += child.total() * scale;
        }
    }

    /** The name cut to the frame's width ("..": cut), empty when not even three characters fit. */
    private static String fit(String name, double width) {
        int chars = (int) ((width - 6) / CHAR_WIDTH);
        if (chars < 3) {
            return "";
        }
        return name.length() <= chars ? name : name.substring(0, chars - 2) + "..";
    }

    /** flamegraph.pl's "hot" palette, chosen by the name so a function keeps its colour across graphs. */
    static String colour(String name) {
        int hash = name.hashCode();
        double v1 = ((hash >>> 0) & 0xff) / 255.0;
        double v2 = ((hash >>> 8) & 0xff) / 255.0;
        double v3 = ((hash >>> 16) & 0xff) / 255.0;
        return String.format(Locale.ROOT, "rgb(%d,%d,%d)", 205 + (int) (50 * v3), (int) (230 * v1), (int) (55 * v2));
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c < 0x20 && c != '\t' ? ' ' : c);
            }
        }
        return out.toString();
    }
}
