package dev.tributary.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.server.policy.CreateTopicPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps how many topics and partitions one learner may create, which Kafka has no quota for:
 * controller_mutation_rate only slows creation down, it never says "enough".
 *
 * <p>Kafka hands a create-topic policy the topic, not the principal asking for it. Learners'
 * ACLs confine each of them to topics under their own namespace prefix, so the prefix names the
 * learner. Topics outside any learner's namespace (the server's, the course host's) are not capped.
 *
 * <p>The topic's settings must stay within LearnerTopicConfigs' bounds (LearnerConfigPolicy
 * holds them there when they change later).
 *
 * <p>Kafka does not ask this policy when partitions are added to an existing topic; learners'
 * ACLs leave out ALTER on topics for that reason.
 *
 * <p>To count a learner's partitions, the policy asks the cluster through an admin client with the
 * super user's credentials. Kafka calls it on the controller's event thread, one topic at a time,
 * before any of a request's topics exist, so it also remembers what it approved a moment ago.
 */
public final class LearnerTopicPolicy implements CreateTopicPolicy {
    static final String PREFIX = "tributary.learner.";
    private static final Logger log = LoggerFactory.getLogger(LearnerTopicPolicy.class);
    /** How long a count of a learner's topics from the cluster is trusted. */
    private static final long COUNT_FRESH_MS = 1_000;
    /**
     * How long an approved topic counts even if the cluster does not list it: long enough for
     * the new topic to reach the brokers' metadata, short enough that a topic the learner deleted
     * (or that failed after approval) soon stops counting.
     */
    private static final long APPROVED_REMEMBERED_MS = 2_000;
    private static final long ASK_TIMEOUT_MS = 5_000;

    private Pattern namespace;
    private int maxTopics;
    private int maxPartitions;
    private int maxPartitionsPerTopic;
    private int defaultPartitions;
    private Properties adminProperties;
    private Admin admin;
    private LearnerTopicConfigs configRules;

    private final Map<String, Counted> counted = new HashMap<>();
    private final Map<String, Map<String, Approved>> approved = new HashMap<>();

    private record Counted(long at, Map<String, Integer> partitionsByTopic) {}

    private record Approved(long at, int partitions) {}

    @Override
    public void configure(Map<String, ?> configs) {
        namespace = Pattern.compile(required(configs, PREFIX + "namespace.pattern"));
        maxTopics = Integer.parseInt(required(configs, PREFIX + "max.topics"));
        maxPartitions = Integer.parseInt(required(configs, PREFIX + "max.partitions"));
        maxPartitionsPerTopic = Integer.parseInt(required(configs, PREFIX + "max.partitions.per.topic"));
        configRules = LearnerTopicConfigs.from(configs);
        Object numPartitions = configs.get("num.partitions");
        defaultPartitions = numPartitions == null ? 1 : Integer.parseInt(String.valueOf(numPartitions));
        adminProperties = new Properties();
        adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, required(configs, PREFIX + "policy.bootstrap.servers"));
        adminProperties.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        adminProperties.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-256");
        adminProperties.put(SaslConfigs.SASL_JAAS_CONFIG, required(configs, "listener.name.client.scram-sha-256.sasl.jaas.config"));
        adminProperties.put(AdminClientConfig.CLIENT_ID_CONFIG, "tributary-learner-topic-policy");
        adminProperties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ASK_TIMEOUT_MS);
        adminProperties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ASK_TIMEOUT_MS);
    }

    private static String required(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null) throw new IllegalArgumentException(key + " must be set for " + LearnerTopicPolicy.class.getName());
        return String.valueOf(value);
    }

    @Override
    public synchronized void validate(RequestMetadata request) throws PolicyViolationException {
        Matcher learner = namespace.matcher(request.topic());
        if (!learner.lookingAt()) return;
        String prefix = learner.group();
        int partitions = request.numPartitions() != null
            ? request.numPartitions()
            : request.replicasAssignments() != null ? request.replicasAssignments().size() : defaultPartitions;

        String refusedSettings = configRules.refusal(request.topic(), request.configs());
        if (refusedSettings != null) throw refuse(prefix, refusedSettings);
        if (partitions > maxPartitionsPerTopic) {
            throw refuse(prefix, String.format(
                "Topic %s asks for %d partitions; a learner's topic may have at most %d.",
                request.topic(), partitions, maxPartitionsPerTopic));
        }
        Map<String, Integer> usage = usage(prefix);
        int topics = usage.size();
        int used = usage.values().stream().mapToInt(Integer::intValue).sum();
        if (topics + 1 > maxTopics) {
            throw refuse(prefix, String.format(
                "You already have %d topics, the most a learner may have; delete topics you no longer need.", topics));
        }
        if (used + partitions > maxPartitions) {
            throw refuse(prefix, String.format(
                "Topic %s would bring your partitions to %d; a learner may have at most %d in all. Delete topics you no longer need.",
                request.topic(), used + partitions, maxPartitions));
        }
        approved.computeIfAbsent(prefix, p -> new HashMap<>()).put(request.topic(), new Approved(System.currentTimeMillis(), partitions));
    }

    private PolicyViolationException refuse(String prefix, String message) {
        log.info("Refused a topic in learner namespace {}: {}", prefix, message);
        return new PolicyViolationException(message);
    }

    /** The learner's topics and their partitions: those the cluster lists, and those approved since. */
    private Map<String, Integer> usage(String prefix) {
        long now = System.currentTimeMillis();
        Counted count = counted.get(prefix);
        if (count == null || now - count.at() > COUNT_FRESH_MS) {
            count = new Counted(now, askCluster(prefix));
            counted.put(prefix, count);
        }
        Map<String, Integer> usage = new HashMap<>(count.partitionsByTopic());
        Map<String, Approved> recent = approved.getOrDefault(prefix, Map.of());
        Set<String> listed = count.partitionsByTopic().keySet();
        recent.entrySet().removeIf(e -> listed.contains(e.getKey()) || now - e.getValue().at() > APPROVED_REMEMBERED_MS);
        recent.forEach((topic, a) -> usage.putIfAbsent(topic, a.partitions()));
        return usage;
    }

    private Map<String, Integer> askCluster(String prefix) {
        try {
            if (admin == null) admin = Admin.create(adminProperties);
            Set<String> names = admin.listTopics().names().get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS).stream()
                .filter(name -> name.startsWith(prefix))
                .collect(Collectors.toSet());
            Map<String, Integer> partitionsByTopic = new HashMap<>();
            for (var entry : admin.describeTopics(names).topicNameValues().entrySet()) {
                try {
                    TopicDescription description = entry.getValue().get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    partitionsByTopic.put(entry.getKey(), description.partitions().size());
                } catch (ExecutionException e) {
                    // Deleted between listing and describing: it no longer counts.
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw e;
                }
            }
            return partitionsByTopic;
        } catch (Exception e) {
            // Refusing is safe: the learner sees the message and runs again.
            log.warn("Could not count the topics of learner namespace {}", prefix, e);
            throw new PolicyViolationException("Kafka could not count your topics just now; run your program again.");
        }
    }

    @Override
    public synchronized void close() {
        if (admin != null) admin.close();
    }
}
