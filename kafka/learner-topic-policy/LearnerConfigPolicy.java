package dev.tributary.kafka;

import java.util.Map;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.server.policy.AlterConfigPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds learners' topic settings within LearnerTopicConfigs' bounds when they change them on an
 * existing topic (alterConfigs and incrementalAlterConfigs); LearnerTopicPolicy does the same when
 * a topic is created. Topics outside any learner's namespace are the course host's: not checked.
 */
public final class LearnerConfigPolicy implements AlterConfigPolicy {
    private static final Logger log = LoggerFactory.getLogger(LearnerConfigPolicy.class);
    private Pattern namespace;
    private LearnerTopicConfigs rules;

    @Override
    public void configure(Map<String, ?> configs) {
        Object pattern = configs.get(LearnerTopicPolicy.PREFIX + "namespace.pattern");
        if (pattern == null) throw new IllegalArgumentException(LearnerTopicPolicy.PREFIX + "namespace.pattern must be set for " + getClass().getName());
        namespace = Pattern.compile(String.valueOf(pattern));
        rules = LearnerTopicConfigs.from(configs);
    }

    @Override
    public void validate(RequestMetadata request) throws PolicyViolationException {
        ConfigResource resource = request.resource();
        if (resource.type() != ConfigResource.Type.TOPIC || !namespace.matcher(resource.name()).lookingAt()) return;
        String refused = rules.refusal(resource.name(), request.configs());
        if (refused == null) return;
        log.info("Refused a learner's topic settings: {}", refused);
        throw new PolicyViolationException(refused);
    }

    @Override
    public void close() {}
}
