package dev.meshplane.controlplane.raft.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every scripted scenario under {@code src/test/resources/.../raft/scenarios} and compares
 * each command's output with the expected lines written under it. With
 * {@code -Draft.scenario.rewrite=true} the files are rewritten with the actual output instead
 * (review the diff before committing it).
 */
class ScenarioTest {
    static final Path DIR = Path.of("src/test/resources/dev/meshplane/controlplane/raft/scenarios");

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no scenarios found in " + DIR.toAbsolutePath());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> replay(f)));
    }

    private static void replay(Path file) throws IOException {
        ScenarioScript script = ScenarioScript.parse(Files.readAllLines(file));
        ScenarioCluster cluster = new ScenarioCluster();
        List<List<String>> actual = new ArrayList<>();
        for (ScenarioScript.Step step : script.steps()) {
            List<String> out;
            try {
                out = cluster.run(step.command());
            } catch (RuntimeException e) {
                throw new AssertionError(file.getFileName() + " line " + step.line() + ": '" + step.command() + "' failed", e);
            }
            actual.add(out);
        }
        if (Boolean.getBoolean("raft.scenario.rewrite")) {
            Files.write(file, script.render(actual));
            return;
        }
        for (int i = 0; i < script.steps().size(); i++) {
            ScenarioScript.Step step = script.steps().get(i);
            assertEquals(String.join("\n", step.expected()), String.join("\n", actual.get(i)),
                    file.getFileName() + " line " + step.line() + ": output of '" + step.command() + "' differs");
        }
    }
}
