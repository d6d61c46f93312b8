package io.jkraft.profile.flame;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An interactive flame graph as one self-contained HTML file (inline CSS and script, no library, works
 * offline): click a frame to zoom into it, search names by regular expression (matches are highlighted and
 * their share of samples shown), reset. The tree is embedded as JSON ({@code n} name, {@code v} samples,
 * {@code c} children) in a {@code <script type="application/json" id="flame-data">} element.
 */
public final class FlameHtml {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FlameHtml() {
    }

    /** The HTML text of the stacks' flame graph under a title. */
    public static String render(FoldedStacks stacks, String title) {
        String safeTitle = FlameSvg.escape(title);
        return TEMPLATE.replace("@TITLE@", safeTitle).replace("@DATA@", scriptSafeJson(FlameTree.of(stacks)));
    }

    /** Writes the HTML to {@code file} (a temporary file renamed over it). */
    public static void write(FoldedStacks stacks, String title, Path file) throws IOException {
        AtomicText.write(file, render(stacks, title));
    }

    /** JSON that cannot end the script element: '<', '>' and '&' occur only in strings, so escapes keep it valid. */
    static String scriptSafeJson(FlameTree tree) {
        try {
            return JSON.writeValueAsString(toMap(tree)).replace("<", "\\u003c").replace(">", "\\u003e")
                    .replace("&", "\\u0026");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> toMap(FlameTree node) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("n", node.name());
        map.put("v", node.total());
        List<Object> children = new ArrayList<>(node.children().size());
        for (FlameTree child : node.children()) {
            children.add(toMap(child));
        }
        map.put("c", children);
        return map;
    }

    private static final String TEMPLATE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>@TITLE@</title>
            <style>
            body { font-family: sans-serif; margin: 12px; background: #f8f8f0; }
            h1 { font-size: 18px; text-align: center; margin: 4px; }
            #bar { margin: 8px 0; font-size: 13px; }
            #bar input { width: 22em; }
            #graph { position: relative; width: 100%; }
            .f { position: absolute; height: 16px; box-sizing: border-box; border: 1px solid #f8f8f0; font: 11px monospace;
                 line-height: 14px; padding-left: 3px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; cursor: pointer; }
            .f:hover { border-color: #000; }
            .f.anc { opacity: 0.5; }
            .f.hit { background: #e040e0 !important; }
            #info { margin-left: 1em; }
            </style>
            </head>
            <body>
            <h1>@TITLE@</h1>
            <div id="bar"><input id="search" type="search" placeholder="search (regular expression)">
            <button id="reset" type="button">Reset</button><span id="info"></span></div>
            <div id="graph"></div>
            <script type="application/json" id="flame-data">@DATA@</script>
            <script>
            "use strict";
            const data = JSON.parse(document.getElementById("flame-data").textContent);
            const ROW = 17;
            const graph = document.getElementById("graph");
            const search = document.getElementById("search");
            const info = document.getElementById("info");
            let focus = data;
            let pattern = null;
            function link(node, parent) { node.p = parent; node.c.forEach(function (c) { link(c, node); }); }
            function depth(node) { return 1 + node.c.reduce(function (d, c) { return Math.max(d, depth(c)); }, 0); }
            function colour(name) {
              let h = 0;
              for (let i = 0; i !== name.length; i++) { h = (h * 31 + name.charCodeAt(i)) | 0; }
              return "rgb(" + (205 + (h & 0xff) % 50) + "," + ((h >>> 8) % 230) + "," + ((h >>> 16) % 55) + ")";
            }
            function percent(v) { return data.v ? (100 * v / data.v).toFixed(2) + "%" : "0%"; }
            function box(parent, node, x, w, level, ancestor) {
              const d = document.createElement("div");
              d.className = "f" + (ancestor ? " anc" : "") + (pattern && pattern.test(node.n) ? " hit" : "");
              d.style.left = x + "%";
              d.style.width = w + "%";
              d.style.bottom = (level * ROW) + "px";
              d.style.background = colour(node.n);
              d.textContent = node.n;
              d.title = node.n + " (" + node.v + " samples, " + percent(node.v) + ")";
              d.addEventListener("click", function () { focus = node; render(); });
              parent.appendChild(d);
            }
            function place(parent, node, x, w, level) {
              if (w < 0.02) { return; }
              box(parent, node, x, w, level, false);
              let cx = x;
              node.c.forEach(function (c) { const cw = w * c.v / node.v; place(parent, c, cx, cw, level + 1); cx += cw; });
            }
            function matched(node) {
              if (pattern && pattern.test(node.n)) { return node.v; }
              return node.c.reduce(function (s, c) { return s + matched(c); }, 0);
            }
            function render() {
              const frag = document.createDocumentFragment();
              const chain = [];
              for (let a = focus.p; a; a = a.p) { chain.unshift(a); }
              chain.forEach(function (a, level) { box(frag, a, 0, 100, level, true); });
              place(frag, focus, 0, 100, chain.length);
              graph.replaceChildren(frag);
              graph.style.height = ((chain.length + depth(focus)) * ROW) + "px";
              info.textContent = pattern ? "matched: " + matched(data) + " samples (" + percent(matched(data)) + ")"
                  : data.v + " samples";
            }
            search.addEventListener("input", function () {
              const text = search.value;
              if (!text) { pattern = null; } else {
                try { pattern = new RegExp(text); } catch (e) { pattern = new RegExp(text.replace(/[.*+?^${}()|[\\]\\\\]/g, "\\\\$&")); }
              }
              render();
            });
            document.getElementById("reset").addEventListener("click", function () {
              focus = data; pattern = null; search.value = ""; render();
            });
            link(data, null);
            render();
            </script>
            </body>
            </html>
            """;
}
