package io.jkraft.profile.flame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.profile.stack.Frame;
import io.jkraft.profile.stack.Symbol;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class FlameOutputTest {

    @TempDir
    Path dir;

    /** main -> a -> b -> c 6 times, main -> a -> b twice, main -> d<int> & x once. */
    private static FoldedStacks sample() {
        FoldedStacks stacks = new FoldedStacks();
        for (int i = 0; i < 6; i++) {
            stacks.addFrames(frames("c", "b", "a", "main"));
        }
        stacks.addFrames(frames("b", "a", "main"));
        stacks.addFrames(frames("b", "a", "main"));
        stacks.add(List.of("main", "d<int> & x"), 1);
        return stacks;
    }

    private static List<Frame> frames(String... innermostFirst) {
        List<Frame> frames = new ArrayList<>();
        long pc = 0x1000;
        for (String name : innermostFirst) {
            frames.add(new Frame(pc, new Symbol(name, pc - 4, 16, 4)));
            pc += 0x100;
        }
        return frames;
    }

    @Test
    void foldedStacksAreRootFirstCountedSortedAndWithoutOffsets() throws Exception {
        FoldedStacks stacks = sample();
        stacks.addFrames(List.of(new Frame(0xdead, null), new Frame(0x1000, new Symbol("x;y", 0x1000, 4, 0))));

        assertThat(stacks.format()).isEqualTo("""
                main;a;b 2
                main;a;b;c 6
                main;d<int> & x 1
                x:y;0xdead 1
                """);
        assertThat(stacks.total()).isEqualTo(10);
        Path file = dir.resolve("out/stacks.folded");
        stacks.write(file);
        assertThat(Files.readString(file)).isEqualTo(stacks.format());
        assertThat(FoldedStacks.parse(Files.readString(file)).counts()).isEqualTo(stacks.counts());
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temporary file left beside it
        }
    }

    @Test
    void foldedTextWithoutACountIsRefusedNamingTheLine() {
        assertThatThrownBy(() -> FoldedStacks.parse("main;a 3\nmain;b\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("line 2:");
    }

    @Test
    void theSvgIsXmlWithOneFramePerCallingContextSizedBySamples() throws Exception {
        Path file = dir.resolve("flame.svg");
        FlameSvg.write(sample(), "chain <profile> & more", file);
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());

        assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
        NodeList groups = svg.getElementsByTagName("g");
        List<String> titles = new ArrayList<>();
        double allWidth = 0;
        double cWidth = 0;
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            String title = g.getElementsByTagName("title").item(0).getTextContent();
            titles.add(title);
            double width = Double.parseDouble(((Element) g.getElementsByTagName("rect").item(0)).getAttribute("width"));
            if (title.startsWith("all ")) {
                allWidth = width;
            } else if (title.startsWith("c ")) {
                cWidth = width;
            }
        }
        assertThat(titles).containsExactlyInAnyOrder("all (9 samples, 100.00%)", "main (9 samples, 100.00%)",
                "a (8 samples, 88.89%)", "b (8 samples, 88.89%)", "c (6 samples, 66.67%)",
                "d<int> & x (1 samples, 11.11%)");
        assertThat(cWidth / allWidth).isCloseTo(6.0 / 9, org.assertj.core.data.Offset.offset(0.01));
        assertThat(svg.getElementsByTagName("text").item(0).getTextContent()).isEqualTo("chain <profile> & more");
        assertThat(Files.readString(file)).doesNotContain("<script");
    }

    @Test
    void anEmptyProfileGivesAValidSvgSayingSo() throws Exception {
        String text = FlameSvg.render(new FoldedStacks(), "empty");
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(svg.getDocumentElement().getTextContent()).contains("no samples");
    }

    @Test
    void theHtmlEmbedsTheTreeAsJsonThatCannotCloseItsScriptElement() throws Exception {
        Path file = dir.resolve("flame.html");
        FlameHtml.write(sample(), "chain <profile>", file);
        String html = Files.readString(file);

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>chain &lt;profile&gt;</title>")
                .contains("id=\"search\"", "id=\"reset\"", "addEventListener(\"click\"").doesNotContain("chain <profile>")
                .doesNotContain("src=\"http", "href=\"http");
        // Every element opened is closed, in order (a well-formedness check of the markup outside the scripts).
        String markup = html.replaceAll("(?s)<script[^>]*>.*?</script>", "<script></script>")
                .replaceAll("(?s)<style>.*?</style>", "<style></style>");
        List<String> open = new ArrayList<>();
        Matcher tag = Pattern.compile("<(/?)([a-z0-9]+)[^>]*?(/?)>").matcher(markup);
        while (tag.find()) {
            String name = tag.group(2);
            if (List.of("meta", "input", "br").contains(name) || !tag.group(3).isEmpty()) {
                continue;
            }
            if (tag.group(1).isEmpty()) {
                open.add(name);
            } else {
                assertThat(open).as("closing " + name).isNotEmpty();
                assertThat(open.removeLast()).isEqualTo(name);
            }
        }
        assertThat(open).isEmpty();

        Matcher data = Pattern.compile("(?s)<script type=\"application/json\" id=\"flame-data\">(.*?)</script>").matcher(html);
        assertThat(data.find()).isTrue();
        assertThat(data.group(1)).doesNotContain("<", ">", "&");
        JsonNode root = new ObjectMapper().readTree(data.group(1));
        assertThat(root.get("n").asText()).isEqualTo("all");
        assertThat(root.get("v").asLong()).isEqualTo(9);
        JsonNode main = root.get("c").get(0);
        assertThat(main.get("n").asText()).isEqualTo("main");
        assertThat(main.get("c")).extracting(n -> n.get("n").asText() + "=" + n.get("v").asLong())
                .containsExactly("a=8", "d<int> & x=1");
    }

    @Test
    void topFunctionsCountSelfAtTheLeafAndTotalOncePerStack() {
        FoldedStacks stacks = sample();
        stacks.add(List.of("main", "r", "r", "r"), 2); // recursion: r's total is 2, not 6

        List<TopFunctions.FunctionCost> bySelf = TopFunctions.bySelf(stacks, 3);
        assertThat(bySelf).extracting(TopFunctions.FunctionCost::name).containsExactly("c", "b", "r");
        assertThat(bySelf.get(0)).isEqualTo(new TopFunctions.FunctionCost("c", 6, 6, 54.55, 54.55));
        assertThat(bySelf.get(2)).isEqualTo(new TopFunctions.FunctionCost("r", 2, 2, 18.18, 18.18));

        List<TopFunctions.FunctionCost> byTotal = TopFunctions.byTotal(stacks, 10);
        assertThat(byTotal).extracting(f -> f.name() + ":" + f.self() + "/" + f.total())
                .containsExactly("main:0/11", "b:2/8", "a:0/8", "c:6/6", "r:2/2", "d<int> & x:1/1");
        assertThat(TopFunctions.bySelf(new FoldedStacks(), 5)).isEmpty();
    }

    @Test
    void topFunctionsAsJson() throws Exception {
        JsonNode json = new ObjectMapper().readTree(TopFunctions.toJson(TopFunctions.bySelf(sample(), 1)));
        assertThat(json.isArray()).isTrue();
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("name").asText()).isEqualTo("c");
        assertThat(json.get(0).get("self").asLong()).isEqualTo(6);
        assertThat(json.get(0).get("total").asLong()).isEqualTo(6);
        assertThat(json.get(0).get("selfPercent").asDouble()).isEqualTo(66.67);
    }
}
