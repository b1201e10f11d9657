package dev.tributary.kafka;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a learner may set on their own topics, on create and on alter. Some topic settings reach
 * past the topic: a tiny segment.ms or segment.bytes makes the broker roll a new segment file per
 * request until it runs out of file descriptors and stops; a huge max.message.bytes lets a few
 * records exhaust its heap; unlimited retention lets one learner fill its disk. Learners need only
 * a handful of settings, within bounds that keep a whole class inside the broker's descriptors,
 * memory and disk (the README adds them up). Everything else is refused, with the reason.
 */
final class LearnerTopicConfigs {
    private static final String PREFIX = LearnerTopicPolicy.PREFIX;
    /** Settings a course program may choose freely: Kafka checks their values. */
    private static final Set<String> FREE = Set.of("min.insync.replicas", "compression.type", "message.timestamp.type");
    private static final Set<String> BOUNDED = Set.of(
        "retention.ms", "retention.bytes", "segment.ms", "segment.bytes", "segment.index.bytes", "max.message.bytes", "cleanup.policy");

    private final long maxRetentionBytes;
    private final long maxRetentionMs;
    private final long maxMessageBytes;
    private final long minSegmentMs;
    private final long minSegmentBytes;
    private final long minSegmentIndexBytes;

    private LearnerTopicConfigs(Map<String, ?> configs) {
        maxRetentionBytes = number(configs, "max.retention.bytes");
        maxRetentionMs = number(configs, "max.retention.ms");
        maxMessageBytes = number(configs, "max.message.bytes");
        minSegmentMs = number(configs, "min.segment.ms");
        minSegmentBytes = number(configs, "min.segment.bytes");
        minSegmentIndexBytes = number(configs, "min.segment.index.bytes");
    }

    /** The bounds the broker was started with (tributary.learner.* in server.properties). */
    static LearnerTopicConfigs from(Map<String, ?> configs) {
        return new LearnerTopicConfigs(configs);
    }

    private static long number(Map<String, ?> configs, String key) {
        Object value = configs.get(PREFIX + key);
        if (value == null) throw new IllegalArgumentException(PREFIX + key + " must be set for the learner topic policies");
        return Long.parseLong(String.valueOf(value));
    }

    /** Why a learner may not give their topic these settings, or null when they may. A null value resets a setting. */
    String refusal(String topic, Map<String, String> settings) {
        for (var entry : new java.util.TreeMap<>(settings).entrySet()) {
            String name = entry.getKey();
            String value = entry.getValue();
            if (value == null || FREE.contains(name)) continue;
            String reason = BOUNDED.contains(name) ? outOfBounds(name, value.trim()) : String.format(
                "%s is not a setting a learner's topic may have; the course lets you set %s.", name, String.join(", ", allowed()));
            if (reason != null) return String.format("Topic %s: %s=%s refused. %s", topic, name, value, reason);
        }
        return null;
    }

    private static Set<String> allowed() {
        Set<String> names = new TreeSet<>(FREE);
        names.addAll(BOUNDED);
        return names;
    }

    private String outOfBounds(String name, String value) {
        if (name.equals("cleanup.policy")) {
            Set<String> policies = new TreeSet<>(java.util.Arrays.asList(value.replace(" ", "").split(",")));
            return policies.contains("delete") ? null
                : "A learner's topic keeps deleting old data (cleanup.policy delete, or compact,delete), so its size stays within the learner's storage budget.";
        }
        long number;
        try {
            number = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return "It must be a whole number.";
        }
        switch (name) {
            case "retention.bytes":
                return number > 0 && number <= maxRetentionBytes ? null : String.format(
                    "A learner's partition may keep at most %d bytes (your storage budget spread over your partitions); -1 (unlimited) is not allowed.",
                    maxRetentionBytes);
            case "retention.ms":
                return number > 0 && number <= maxRetentionMs ? null : String.format(
                    "A learner's topic may keep data for at most %d ms (%d days); -1 (for ever) is not allowed.",
                    maxRetentionMs, maxRetentionMs / 86_400_000L);
            case "segment.ms":
                return number >= minSegmentMs ? null : String.format(
                    "Segments may roll at most every %d ms (%d hours): each segment is a file the broker keeps open, and rolling faster runs it out of files.",
                    minSegmentMs, minSegmentMs / 3_600_000L);
            case "segment.bytes":
                return number >= minSegmentBytes && number <= maxRetentionBytes ? null : String.format(
                    "Segments must hold between %d and %d bytes: smaller ones mean more open files in the broker, larger ones outgrow the partition's budget.",
                    minSegmentBytes, maxRetentionBytes);
            case "segment.index.bytes":
                return number >= minSegmentIndexBytes ? null : String.format(
                    "A segment's index must have at least %d bytes: a smaller one fills up and rolls a new segment file every few records.",
                    minSegmentIndexBytes);
            case "max.message.bytes":
                return number > 0 && number <= maxMessageBytes ? null : String.format(
                    "A record may have at most %d bytes: larger records fill the broker's memory.", maxMessageBytes);
            default:
                return null;
        }
    }
}
