// Packs the compiled runner into one jar. The JVM's class-data sharing archives classes from jars only
// (a folder of classes on the classpath turns it off), and a JRE has no jar tool.
package dev.tributary.flink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

final class RunnerJar {
    private RunnerJar() {}

    /** Arguments: the folder of compiled classes, the jar to write. */
    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(file -> file.toString().endsWith(".class")).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(Path.of(args[1])); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            for (Path file : files) {
                jar.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(file));
                jar.closeEntry();
            }
        }
    }
}
