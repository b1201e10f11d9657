// Runs a learner's Flink SQL on a local Flink (one MiniCluster in this JVM). Started ahead of its run:
// it starts the cluster and loads the planner, then waits on stdin for one JSON line {"env": {...}}
// naming the learner, reads the script from /sandbox/run/main.sql (or the file given as argument), and
// runs its statements in order. Rows of a SELECT, job status and errors (with script line and column)
// go to the terminal. Stop (SIGTERM) cancels the run's jobs before the JVM ends.
// Exit codes: 0 every job finished, 1 a job failed, 4 a statement was refused or did not plan.
// `SqlRunner --check a.sql ...` runs nothing: it says what a run would admit of each script (PolicyCheck).
package dev.tributary.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableScan;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.SinkModifyOperation;
import org.apache.flink.table.operations.command.SetOperation;
import org.apache.flink.table.planner.operations.PlannerQueryOperation;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

public final class SqlRunner {
    static final int REFUSED = 4;

    /** Jobs that can run at once: a script's INSERTs and SELECTs each hold one slot while they run. */
    private static final int TASK_SLOTS = 8;
    /** How long Stop waits for the run's jobs to be cancelled. */
    private static final long CANCEL_WAIT_MS = 3000;

    /** Rows of one SELECT shown before the runner stops printing them (the job keeps running). */
    private static final int MAX_ROWS_SHOWN = 1000;

    private SqlRunner() {}

    public static void main(String[] args) {
        int code;
        try {
            code = args.length > 0 && args[0].equals("--check") ? PolicyCheck.run(List.of(args).subList(1, args.length)) : run(args);
        } catch (Throwable error) {
            System.err.println((warmedUp ? "error: the run failed: " : "error: Flink could not start: ") + rootMessage(error));
            code = 1;
        }
        System.out.flush();
        System.err.flush();
        // Without shutdown hooks (Stop's cancelling is one): the run is over, and Flink's own hooks would
        // wait for a cluster the run no longer needs to wind down.
        Runtime.getRuntime().halt(code);
    }

    private static volatile boolean warmedUp;

    /** The run's exit code; the shared cluster's threads keep the JVM up, so main ends it. */
    private static int run(String[] args) throws Exception {
        KafkaForwarder.start(new File("/run/kafka"));
        Configuration config = flinkConfiguration();
        SharedCluster cluster = SharedCluster.start(config, TASK_SLOTS);
        Configuration routed = SharedCluster.routedHere(config);
        StreamExecutionEnvironment streams = new StreamExecutionEnvironment(cluster, routed, SqlRunner.class.getClassLoader());
        TableEnvironmentInternal tables = (TableEnvironmentInternal) StreamTableEnvironment.create(
                streams, EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(routed).build());
        // Before the run begins, load the parser, the planner, the runtime and the Kafka connector: most of
        // what a cold start spends.
        WarmUp.run(tables);
        warmedUp = true;

        JsonNode env = readRunMessage();
        if (env == null) return 0;
        Path scriptPath = Path.of(args.length > 0 ? args[0] : "/sandbox/run/main.sql");
        String script = Files.readString(scriptPath, StandardCharsets.UTF_8);
        StatementPolicy policy = new StatementPolicy(new StatementPolicy.Learner(
                env.path("KAFKA_NAMESPACE").asText(""), env.path("KAFKA_BROKERS").asText(System.getenv().getOrDefault("KAFKA_BROKERS", "127.0.0.1:9092")),
                env.path("KAFKA_USERNAME").asText(""), env.path("KAFKA_PASSWORD").asText("")));
        Session session = new SqlRunner.Session(tables, policy);
        Runtime.getRuntime().addShutdownHook(new Thread(session::cancelJobs, "cancel-jobs"));
        int code = session.run(SqlScript.split(script));
        // Stop ends the script's statements as it cancels their jobs: let it finish before the JVM halts.
        session.awaitCancelled();
        return code;
    }

    static Configuration flinkConfiguration() {
        Configuration config = new Configuration();
        Map.of(
                "parallelism.default", "1",
                "table.dynamic-table-options.enabled", "false",
                "taskmanager.memory.managed.size", "64m",
                "taskmanager.memory.network.min", "16m",
                "taskmanager.memory.network.max", "16m",
                "rest.bind-port", "0",
                "io.tmp.dirs", System.getProperty("java.io.tmpdir"),
                "rest.bind-address", "127.0.0.1",
                "rest.address", "127.0.0.1").forEach(config::setString);
        return config;
    }

    /** The run's environment, sent once the run begins; null when the server let this runner go unused. */
    private static JsonNode readRunMessage() throws Exception {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null) return null;
        return new ObjectMapper().readTree(line).path("env");
    }

    /** The statements of one script, run in order against one table environment. */
    static final class Session {
        private final TableEnvironmentInternal tables;
        private final StatementPolicy policy;
        /** Every job the run started, the SELECTs' too: Stop cancels them. */
        private final List<JobClient> jobs = new CopyOnWriteArrayList<>();
        /** Set once Stop was pressed: jobs that end now were cancelled, not failed. */
        private volatile boolean stopping;
        private final CountDownLatch cancelled = new CountDownLatch(1);

        Session(TableEnvironmentInternal tables, StatementPolicy policy) {
            this.tables = tables;
            this.policy = policy;
        }

        int run(List<SqlScript.Statement> statements) throws Exception {
            if (statements.isEmpty()) {
                System.err.println("error: the script holds no statement; end each one with a semicolon.");
                return REFUSED;
            }
            for (SqlScript.Statement statement : statements) {
                Operation operation;
                try {
                    List<Operation> parsed = tables.getParser().parse(statement.text());
                    if (parsed.size() != 1) throw new StatementPolicy.Refused("One statement at a time, each ending with a semicolon.");
                    operation = policy.admit(parsed.get(0));
                    if (startsJob(operation)) ensureSlotFree();
                } catch (StatementPolicy.Refused refused) {
                    return fail(statement, refused.getMessage());
                } catch (Exception error) {
                    return fail(statement, rootMessage(error));
                }
                try {
                    if (!execute(statement, operation)) return 1;
                } catch (JobFailed failed) {
                    if (stopping) return 1;
                    System.err.println("error: the query failed: " + rootMessage(failed.getCause()));
                    return 1;
                } catch (Exception error) {
                    return fail(statement, rootMessage(error));
                }
            }
            return waitForJobs();
        }

        private static boolean startsJob(Operation operation) {
            return operation instanceof QueryOperation || operation instanceof SinkModifyOperation;
        }

        /** The cluster runs TASK_SLOTS jobs at once; one more would wait for a slot in silence, then fail. */
        private void ensureSlotFree() throws StatementPolicy.Refused {
            long running = jobs.stream().filter(job -> !job.getJobExecutionResult().isDone()).count();
            if (running >= TASK_SLOTS) {
                throw StatementPolicy.Refused.because("At most " + TASK_SLOTS + " queries and INSERTs run at once in one script, and "
                        + running + " are running: this one would wait for ever. Put fewer continuous queries in one script.");
            }
        }

        /** Runs one admitted operation; false when a job it waited for failed. */
        private boolean execute(SqlScript.Statement statement, Operation operation) throws Exception {
            if (operation instanceof SetOperation set) {
                applySet(tables, set);
                System.out.println("[ok] " + oneLine(statement.text()));
                return true;
            }
            if (operation instanceof QueryOperation) {
                printRows(tables.executeInternal(operation));
                return true;
            }
            TableResult result = tables.executeInternal(operation);
            if (result.getJobClient().isEmpty()) {
                // DDL, SET, EXPLAIN: print what they return (EXPLAIN's plan; "OK" otherwise).
                if (operation.getClass().getSimpleName().startsWith("Explain")) result.collect().forEachRemaining(row -> System.out.println(row.getField(0)));
                else System.out.println("[ok] " + oneLine(statement.text()));
                return true;
            }
            JobClient job = result.getJobClient().get();
            jobs.add(job);
            System.out.println("[job " + shortId(job) + " running] " + oneLine(statement.text()));
            if (operation instanceof SinkModifyOperation insert && readsNoTable(insert)) {
                // INSERT ... VALUES ends by itself: let it finish before statements that read what it wrote.
                return awaitJob(job);
            }
            // A job that fails while a later SELECT prints its rows is reported at once, not when the script ends.
            job.getJobExecutionResult().whenComplete((done, error) -> {
                if (stopping) return;
                if (error != null) System.err.println("error: job " + shortId(job) + " failed: " + rootMessage(error));
                else System.out.println("[job " + shortId(job) + " finished]");
            });
            return true;
        }

        private static boolean readsNoTable(SinkModifyOperation insert) {
            return insert.getChild() instanceof PlannerQueryOperation query && !scansTable(query.getCalciteTree());
        }

        private static boolean scansTable(RelNode node) {
            if (node instanceof TableScan) return true;
            for (RelNode input : node.getInputs()) {
                if (scansTable(input)) return true;
            }
            return false;
        }

        private boolean awaitJob(JobClient job) {
            try {
                job.getJobExecutionResult().get();
                System.out.println("[job " + shortId(job) + " finished]");
                return true;
            } catch (Exception error) {
                if (!stopping) System.err.println("error: job " + shortId(job) + " failed: " + rootMessage(error));
                return false;
            }
        }

        /** Stop: cancels every job still running, so each one ends as Flink ends a job, and says so. */
        void cancelJobs() {
            stopping = true;
            try {
                cancelEach();
            } finally {
                cancelled.countDown();
            }
        }

        /** After Stop: waits (briefly) until cancelJobs is done. */
        void awaitCancelled() throws InterruptedException {
            if (stopping) cancelled.await(CANCEL_WAIT_MS + 1000, TimeUnit.MILLISECONDS);
        }

        private void cancelEach() {
            List<CompletableFuture<Void>> cancelled = new ArrayList<>();
            for (JobClient job : jobs) {
                cancelled.add(job.getJobStatus()
                        .thenCompose(status -> status.isGloballyTerminalState() ? CompletableFuture.completedFuture(false) : job.cancel().thenApply(done -> true))
                        .thenAccept(wasRunning -> {
                            if (wasRunning) System.out.println("[job " + shortId(job) + " cancelled]");
                        }));
            }
            try {
                CompletableFuture.allOf(cancelled.toArray(CompletableFuture[]::new)).get(CANCEL_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception ignored) {
                // The JVM ends next either way; the server ends what is left.
            }
            System.out.flush();
        }

        private void printRows(TableResult result) throws Exception {
            result.getJobClient().ifPresent(jobs::add);
            System.out.println("[query running] columns: " + String.join(", ", result.getResolvedSchema().getColumnNames()));
            int shown = 0;
            try (CloseableIterator<Row> rows = result.collect()) {
                while (rows.hasNext()) {
                    Row row = rows.next();
                    if (shown++ < MAX_ROWS_SHOWN) System.out.println(row);
                    else if (shown == MAX_ROWS_SHOWN + 1) System.out.println("[more rows are not shown]");
                }
            } catch (RuntimeException error) {
                // The statement planned and started: what fails now is the running query (Kafka refused it, say).
                throw new JobFailed(error);
            }
            System.out.println("[query finished]");
        }

        private int waitForJobs() {
            boolean allFinished = true;
            for (JobClient job : List.copyOf(jobs)) {
                try {
                    job.getJobExecutionResult().get();
                } catch (Exception failed) {
                    allFinished = false;
                }
            }
            return allFinished ? 0 : 1;
        }

        private static int fail(SqlScript.Statement statement, String message) {
            String located = statement.locate(message);
            // Every message names a position, so the editor can mark it.
            // A refusal quotes what it refuses ('filesystem', an option's key): mark where that stands, else the statement's start.
            if (!located.matches("(?s).*line \\d+, column \\d+.*")) located = statement.whereQuoted(message) + ": " + located;
            System.err.println("error: " + located);
            return REFUSED;
        }
    }

    /** SET of an admitted key: a table environment runs no SET statement (SQL clients do), so its value goes into the configuration here. */
    static void applySet(TableEnvironmentInternal tables, SetOperation set) {
        tables.getConfig().set(set.getKey().orElseThrow(), set.getValue().orElseThrow());
    }

    /** A query that started and then failed: not the statement's fault as written, so no line and column. */
    static final class JobFailed extends Exception {
        JobFailed(Throwable cause) {
            super(cause);
        }
    }

    private static String shortId(JobClient job) {
        return job.getJobID().toString().substring(0, 8);
    }

    private static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() > 80 ? flat.substring(0, 77) + "..." : flat;
    }

    /**
     * The learner's mistake, out of the layers Flink wraps it in: the innermost message that names a
     * position (the parser's and validator's do), else the innermost message.
     */
    static String rootMessage(Throwable error) {
        String innermost = null;
        String positioned = null;
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String message = cause.getMessage();
            if (message == null || message.isBlank()) continue;
            innermost = message.trim();
            if (message.matches("(?s).*line \\d+, column \\d+.*")) positioned = innermost;
        }
        if (positioned != null) return positioned;
        return innermost == null ? error.getClass().getSimpleName() : innermost;
    }
}
