// java-build/: the course's own Java, built on the host: Java and Maven checked, jars fetched with
// Maven, sources compiled with Eclipse's compiler. Kafka provisioning (the broker policies) and Flink
// (the SQL runner) both build with it.
export { checkJavaAndMaven } from "./tools.ts";
export { mavenCopy } from "./maven.ts";
export { compileJava, type JavaCompilation } from "./compile-java.ts";
