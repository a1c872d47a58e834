package dev.meshplane.controlplane.raft.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * The scenario file format. A line starting with {@code > } is a command; the lines after it, up
 * to the next command, are its expected output. Lines starting with {@code #} and blank lines
 * are commentary and are never compared.
 */
record ScenarioScript(List<String> header, List<Step> steps) {

    /** A command, its expected output, and the commentary that precedes the next command. */
    record Step(int line, String command, List<String> expected, List<String> trailer) {}

    static ScenarioScript parse(List<String> lines) {
        List<String> header = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        Step current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("> ")) {
                current = new Step(i + 1, line.substring(2).trim(), new ArrayList<>(), new ArrayList<>());
                steps.add(current);
            } else if (line.isBlank() || line.startsWith("#")) {
                (current == null ? header : current.trailer()).add(line);
            } else if (current == null) {
                throw new IllegalArgumentException("line " + (i + 1) + " is output before any command: " + line);
            } else {
                if (!current.trailer().isEmpty()) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": output after commentary: " + line);
                }
                current.expected().add(line.stripTrailing());
            }
        }
        return new ScenarioScript(header, steps);
    }

    /** The file again, with {@code outputs} in place of the expected lines. */
    List<String> render(List<List<String>> outputs) {
        List<String> out = new ArrayList<>(header);
        for (int i = 0; i < steps.size(); i++) {
            out.add("> " + steps.get(i).command());
            out.addAll(outputs.get(i));
            out.addAll(steps.get(i).trailer());
        }
        return out;
    }
}
