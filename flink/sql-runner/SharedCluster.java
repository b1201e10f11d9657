// One local Flink (a MiniCluster) for every job of a run. Flink's local executor starts a cluster per
// job and stops it when the job ends: a second or two each time, and a script runs two or three jobs.
// This cluster starts while the runner warms up, before the learner presses Run, and every job of the
// run is submitted to it. The JVM serves one run, so nothing of one learner meets another's here.
package dev.tributary.flink;

import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.graph.StreamGraph;

final class SharedCluster implements PipelineExecutorServiceLoader, PipelineExecutorFactory {
    private static final String EXECUTOR = "tributary-shared-cluster";

    private final MiniCluster cluster;

    private SharedCluster(MiniCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts the cluster: one task manager with `slots` slots, so that many jobs can run at once. */
    static SharedCluster start(Configuration config, int slots) throws Exception {
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(config)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        cluster.start();
        return new SharedCluster(cluster);
    }

    /** The configuration a table environment needs so that its jobs come here. */
    static Configuration routedHere(Configuration config) {
        Configuration routed = new Configuration(config);
        routed.set(DeploymentOptions.TARGET, EXECUTOR);
        routed.set(DeploymentOptions.ATTACHED, true);
        return routed;
    }

    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
        return this;
    }

    @Override
    public Stream<String> getExecutorNames() {
        return Stream.of(EXECUTOR);
    }

    @Override
    public String getName() {
        return EXECUTOR;
    }

    @Override
    public boolean isCompatibleWith(Configuration configuration) {
        return true;
    }

    @Override
    public PipelineExecutor getExecutor(Configuration configuration) {
        return (pipeline, jobConfig, classLoader) -> {
            StreamGraph graph = PipelineExecutorUtils.getStreamGraph(pipeline, jobConfig);
            graph.serializeUserDefinedInstances();
            CompletableFuture<JobClient> submitted = cluster.submitJob(graph).thenApply(result ->
                    new MiniClusterJobClient(result.getJobID(), cluster, classLoader, MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
            return submitted;
        };
    }
}
