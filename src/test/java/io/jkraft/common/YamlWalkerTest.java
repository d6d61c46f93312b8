package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

class YamlWalkerTest {
    /** The errors of a document kind of the test's own: the place and the words, as one message. */
    static final class Located extends RuntimeException {
        final YamlWalker.Place place;
        final String hint;

        Located(YamlWalker.Place place, String problem, String found, String expected, String hint) {
            super((place == null ? "doc" : "doc:" + place) + ": " + YamlWalker.message(problem, found, expected));
            this.place = place;
            this.hint = hint;
        }
    }

    private final YamlWalker<Located> walker = new YamlWalker<>(Located::new);

    private static MappingNode compose(String text) {
        return (MappingNode) new Yaml(new LoaderOptions()).compose(new StringReader(text));
    }

    private List<YamlWalker.Entry> entries(String text) {
        return walker.entries(compose(text));
    }

    @Test
    void everyNodeKnowsItsLineAndColumn() {
        List<YamlWalker.Entry> top = entries("""
                name: hello
                targets:
                  - qemu/x86_64
                  - plat: fc
                """);
        assertThat(walker.place(top.get(0).keyNode())).hasToString("1:1");
        assertThat(walker.place(top.get(0).value())).hasToString("1:7");
        Node second = ((SequenceNode) top.get(1).value()).getValue().get(1);
        assertThat(walker.place(second)).isEqualTo(new YamlWalker.Place(4, 5));
        assertThat(walker.place(walker.entries((MappingNode) second).getFirst().value(), 2)).hasToString("4:13");
        assertThat(walker.place(null)).isNull();
        assertThat(walker.error(null, "the file is empty", null, null, "write something"))
                .hasMessage("doc: the file is empty");
    }

    @Test
    void mergedKeysComeFirstAndYieldToTheMappingsOwn() {
        List<YamlWalker.Entry> entries = entries("""
                base: &base {a: 1, b: 2}
                other: &other {c: 3}
                thing:
                  b: own
                  <<: [*base, *other]
                """);
        List<YamlWalker.Entry> thing = walker.entries((MappingNode) entries.get(2).value());
        assertThat(thing).extracting(YamlWalker.Entry::key).containsExactly("a", "b", "c");
        assertThat(((ScalarNode) thing.get(1).value()).getValue()).isEqualTo("own");
        assertThat(walker.place(thing.get(0).value())).as("a merged value is where its anchor wrote it").hasToString("1:17");
    }

    @Test
    void aKeyWrittenTwiceIsRefusedWhereItIsWrittenTheSecondTime() {
        assertThatThrownBy(() -> entries("name: a\nspec: v0.6\nname: b\n"))
                .isInstanceOf(Located.class)
                .hasMessage("doc:3:1: duplicate key 'name': found 'name' a second time, expected each key once per mapping")
                .satisfies(e -> assertThat(((Located) e).hint).endsWith("(the first is at line 1)"));
    }

    @Test
    void aKeyWrittenTwiceWithTheSameValueIsTakenOnce() {
        List<YamlWalker.Entry> kconfig = entries("CONFIG_A: 'y'\nCONFIG_B: 'y'\nCONFIG_A: 'y'\n");
        assertThat(kconfig).extracting(YamlWalker.Entry::key).containsExactly("CONFIG_A", "CONFIG_B");
        assertThat(walker.place(kconfig.get(0).keyNode())).as("the first one counts").hasToString("1:1");

        assertThatThrownBy(() -> entries("CONFIG_A: 'y'\nCONFIG_A: 'n'\n")).hasMessageContaining("duplicate key 'CONFIG_A'");
        assertThatThrownBy(() -> entries("a: 1\na: '1'\n")).as("an int and a string are not the same")
                .hasMessageContaining("duplicate key 'a'");
        assertThatThrownBy(() -> entries("a: {b: 1}\na: {b: 1}\n")).as("only scalars").hasMessageContaining("duplicate key 'a'");
    }

    @Test
    void keysThatAreNoNamesAndBadMergesAreRefusedWhereTheyAre() {
        assertThatThrownBy(() -> entries("a: 1\n[x]: 2\n")).hasMessage(
                "doc:2:1: a key must be a plain name: found list, expected a string key");
        assertThatThrownBy(() -> entries("a: 1\n~: 2\n")).hasMessage(
                "doc:2:1: a key must be a plain name: found nothing, expected a string key");
        MappingNode a = (MappingNode) compose("a:\n  <<: 5\n").getValue().getFirst().getValueNode();
        assertThatThrownBy(() -> walker.entries(a)).hasMessage("doc:2:7: a merge key '<<' needs a mapping: found"
                + " number '5', expected a mapping or a list of mappings (usually an alias like *base)");
    }

    @Test
    void aMergeThatIncludesItsOwnMappingIsRefused() {
        MappingNode loop = compose("a: &a {x: 1}\n");
        MappingNode a = (MappingNode) loop.getValue().getFirst().getValueNode();
        // an alias cannot point at the mapping it is in while that is parsed; a tree built in code can
        a.getValue().add(new org.yaml.snakeyaml.nodes.NodeTuple(
                new ScalarNode(org.yaml.snakeyaml.nodes.Tag.MERGE, "<<", null, null,
                        org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN), a));
        assertThatThrownBy(() -> walker.entries(a)).hasMessageStartingWith("doc:1:4: a merge key includes the mapping");
    }

    @Test
    void typesAreNamedInTheWordsOfTheMessages() {
        List<YamlWalker.Entry> e = entries("s: text\nn: 12\nb: true\nz:\nl: []\nm: {}\nlong: " + "x".repeat(50) + "\n");
        assertThat(e).extracting(x -> YamlWalker.describe(x.value())).containsExactly("string 'text'", "number '12'",
                "boolean 'true'", "nothing", "list", "mapping", "string '" + "x".repeat(37) + "...'");
        assertThat(YamlWalker.isNull(e.get(3).value())).isTrue();
        assertThat(walker.wrongType(e.get(1).value(), "'name'", "a string")).hasMessage(
                "doc:2:4: 'name' has the wrong type: found number '12', expected a string")
                .satisfies(x -> assertThat(x.hint).isEqualTo("write 'name' as a string"));
        assertThat(YamlWalker.message("p", null, "e")).isEqualTo("p: expected e");
        assertThat(YamlWalker.message("p", "f", null)).isEqualTo("p: found f");
        assertThat(YamlWalker.message("p", null, null)).isEqualTo("p");
    }
}
