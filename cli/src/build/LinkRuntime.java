import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;

/**
 * Build step: links a Java runtime image for meshctl with jlink, from the JDK running this
 * file (the build's toolchain). Skips the work when an image from the same JDK exists.
 * Usage: java LinkRuntime.java OUTPUT_DIR MODULE,MODULE,...
 */
public class LinkRuntime {
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        String modules = args[1];
        String stamp = Runtime.version() + " " + modules;
        Path stampFile = out.resolve("meshctl-runtime.stamp");
        if (Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)) {
            System.out.println("runtime image up to date: " + out);
            return;
        }
        deleteTree(out);
        ToolProvider jlink = ToolProvider.findFirst("jlink")
                .orElseThrow(() -> new IllegalStateException("this JDK has no jlink: " + System.getProperty("java.home")));
        int rc = jlink.run(System.out, System.err, "--add-modules", modules, "--output", out.toString(),
                "--strip-debug", "--no-header-files", "--no-man-pages", "--compress", "zip-6");
        if (rc != 0) {
            throw new IllegalStateException("jlink failed with exit code " + rc);
        }
        Files.writeString(stampFile, stamp);
        System.out.println("linked runtime image " + out + " (" + Runtime.version() + ")");
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
