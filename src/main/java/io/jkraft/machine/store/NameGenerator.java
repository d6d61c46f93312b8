package io.jkraft.machine.store;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Docker-like machine names, {@code adjective_noun}: easy to read, type and tell apart in {@code ps}.
 * About 17,000 combinations, so random draws rarely collide until there are thousands of machines; past
 * that a numeric suffix keeps every name unique.
 */
final class NameGenerator {
    private static final List<String> ADJECTIVES = words("""
            agile amazing ample ancient angry arctic autumn awesome bold brave breezy bright brisk busy
            calm candid careful cheerful chilly clever cosmic cozy crimson crisp curious daring dazzling
            decent delicate determined devoted dreamy eager earnest electric elegant epic exciting fancy
            fearless festive fierce fluffy focused fond friendly frosty funny gallant gentle gifted gleaming
            golden graceful grand happy hardy harmonious hopeful humble icy ideal jolly jovial keen kind
            laughing lively loving lucid lucky magical majestic mellow merry mighty misty modest nervous
            nifty nimble noble nostalgic optimistic patient peaceful plucky polished polite proud quick
            quiet quirky radiant rapid relaxed resolute rustic serene sharp shiny silent silly sleepy
            smooth snowy sparkling spry stoic stellar sturdy sunny swift tender thirsty tidy tranquil
            trusting upbeat valiant vibrant vigilant vivid warm wise witty wizardly youthful zealous zen
            """);
    private static final List<String> NOUNS = words("""
            albatross alpaca antelope badger barracuda beaver bison bobcat buffalo butterfly camel caribou
            cheetah chipmunk cobra condor cormorant cougar coyote crane crow dingo dolphin donkey dove
            dragonfly eagle egret elephant elk falcon ferret finch flamingo fox gazelle gecko gibbon giraffe
            gopher gorilla grasshopper grouse gull hamster hare hawk hedgehog heron hippo hornet horse
            hummingbird ibex iguana impala jackal jaguar jellyfish kangaroo kestrel kingfisher kiwi koala
            lemur leopard lion lizard llama lobster lynx macaw magpie mallard manatee marmot marten meerkat
            mink mole mongoose moose narwhal newt ocelot octopus opossum orca oriole osprey ostrich otter owl
            panda panther parrot peacock pelican penguin pheasant pika platypus puffin puma quail rabbit
            raccoon raven reindeer robin salamander seahorse seal shark sparrow squid squirrel starling
            stingray stork swallow swan tapir tiger toucan turtle viper vulture walrus warbler weasel whale
            wolf wombat woodpecker yak zebra
            """);
    private static final int RANDOM_TRIES = 64;

    private final RandomGenerator random;

    NameGenerator(RandomGenerator random) {
        this.random = random;
    }

    /** Tells whether a name is in use; may fail the way the store's lookups fail. */
    @FunctionalInterface
    interface Taken<E extends Exception> {
        boolean test(String name) throws E;
    }

    /** A name for which {@code taken} is false. */
    <E extends Exception> String next(Taken<E> taken) throws E {
        String name = draw();
        for (int i = 1; i < RANDOM_TRIES && taken.test(name); i++) {
            name = draw();
        }
        // A crowded store: keep the last draw and count up, which always ends.
        String base = name;
        for (int n = 2; taken.test(name); n++) {
            name = base + "_" + n;
        }
        return name;
    }

    private String draw() {
        return ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "_" + NOUNS.get(random.nextInt(NOUNS.size()));
    }

    private static List<String> words(String text) {
        return List.of(text.strip().split("\\s+"));
    }
}
