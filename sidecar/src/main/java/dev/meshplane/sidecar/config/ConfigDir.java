package dev.meshplane.sidecar.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The agent's -config-dir: every *.json file in it (not in subdirectories), read in name order.
 * One bad file fails the whole read, so a reload applies all files or none.
 */
public final class ConfigDir {
    /** A definition file larger than this is refused (a service definition is a few KiB). */
    public static final long MAX_FILE_BYTES = 4 * 1024 * 1024;

    private final Path dir;

    public ConfigDir(Path dir) {
        this.dir = dir;
    }

    public Path path() {
        return dir;
    }

    public Definitions load(Consumer<String> warn) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).sorted().toList();
        } catch (NoSuchFileException e) {
            throw new ConfigException(dir + ": the config dir does not exist");
        } catch (IOException e) {
            throw new ConfigException(dir + ": cannot list the config dir: " + e.getMessage());
        }
        DefinitionParser parser = new DefinitionParser(warn);
        int read = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(".hcl")) {
                warn.accept(file + ": HCL is not supported, only JSON; file skipped");
                continue;
            }
            if (!name.endsWith(".json")) {
                continue;
            }
            parser.parse(file.toString(), read(file));
            read++;
        }
        return parser.result(read);
    }

    /** One file, as `meshctl services register FILE` reads it. */
    public static Definitions loadFile(Path file, Consumer<String> warn) {
        return new DefinitionParser(warn).parse(file.toString(), read(file)).result(1);
    }

    private static String read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ConfigException(file + ": " + size + " bytes; the limit is " + MAX_FILE_BYTES);
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e);
        }
    }
}
