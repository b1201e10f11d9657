// The values one table option or SET key may take: a test, and the same bounds in words a learner
// reads when a value falls outside them ("a whole number from 1 to 1000").
package dev.tributary.flink;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.table.api.internal.TableConfigValidation;
import org.apache.flink.util.TimeUtils;

record OptionRule(String allowed, Predicate<String> admits) {
    /** A whole number from `min` to `max`, written in digits (Flink reads these options as Long or Integer). */
    static OptionRule wholeNumber(long min, long max) {
        return new OptionRule("a whole number from " + min + " to " + max, value -> {
            if (!value.matches("-?\\d{1,19}")) return false;
            try {
                long number = Long.parseLong(value);
                return number >= min && number <= max;
            } catch (NumberFormatException tooLong) {
                return false;
            }
        });
    }

    /** A decimal number (digits, a point, digits; no exponent, no NaN) from `min` to `max`. */
    static OptionRule decimal(String min, String max) {
        BigDecimal low = new BigDecimal(min), high = new BigDecimal(max);
        return new OptionRule("a number from " + min + " to " + max, value -> {
            if (!value.matches("-?\\d{1,19}(\\.\\d{1,9})?")) return false;
            BigDecimal number = new BigDecimal(value);
            return number.compareTo(low) >= 0 && number.compareTo(high) <= 0;
        });
    }

    /** Exactly one of `values`, spelled as Flink's documentation spells it. */
    static OptionRule oneOf(String... values) {
        List<String> admitted = List.of(values);
        String words = admitted.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", "));
        return new OptionRule(values.length == 1 ? words : "one of " + words, admitted::contains);
    }

    static OptionRule bool() {
        return oneOf("true", "false");
    }

    /**
     * A duration as Flink reads one ('30 s', '5 min', '500 ms', 'PT1M'), from `min` to `max`; with
     * `zeroTurnsOff`, '0' is admitted too (the option's own word for "never").
     */
    static OptionRule duration(Duration min, Duration max, boolean zeroTurnsOff) {
        String range = "a duration from " + words(min) + " to " + words(max) + " (written like '30 s', '5 min' or '500 ms')";
        return new OptionRule(zeroTurnsOff ? range + ", or '0' to turn it off" : range, value -> {
            Duration duration = parseDuration(value);
            if (duration == null) return false;
            if (zeroTurnsOff && duration.isZero()) return true;
            return duration.compareTo(min) >= 0 && duration.compareTo(max) <= 0;
        });
    }

    /** Text of 1 to `maxLength` characters, each matching `characters` (a regex character class). */
    static OptionRule text(String characters, int maxLength, String what) {
        Pattern pattern = Pattern.compile(characters + "{1," + maxLength + "}");
        return new OptionRule(what + " of at most " + maxLength + " characters", value -> pattern.matcher(value).matches());
    }

    /** Items separated by `separator`, each admitted by `item` once trimmed, at most `maxItems` of them. */
    static OptionRule listOf(OptionRule item, String separator, int maxItems) {
        return new OptionRule("at most " + maxItems + " items separated by '" + separator + "', each " + item.allowed(), value -> {
            List<String> items = Stream.of(value.split(Pattern.quote(separator), -1)).map(String::trim).toList();
            return items.size() <= maxItems && items.stream().allMatch(item.admits());
        });
    }

    /** A time zone as Flink admits one for 'table.local-time-zone'. */
    static OptionRule timeZone() {
        return new OptionRule("a time zone database name such as 'Europe/Berlin', 'UTC', or a fixed offset such as 'GMT+03:00'", value -> {
            if (value.length() > 64) return false;
            try {
                TableConfigValidation.validateTimeZone(value);
                return true;
            } catch (RuntimeException invalid) {
                return false;
            }
        });
    }

    /** Pairs of option key and rule, kept in the order written (refusals list them so). */
    static Map<String, OptionRule> inOrder(Object... pairs) {
        Map<String, OptionRule> rules = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) rules.put((String) pairs[i], (OptionRule) pairs[i + 1]);
        return Collections.unmodifiableMap(rules);
    }

    /** The duration Flink reads from `value`, or null when Flink would not read one. */
    static Duration parseDuration(String value) {
        try {
            return TimeUtils.parseDuration(value);
        } catch (RuntimeException notADuration) {
            return null;
        }
    }

    /** A duration as a learner writes it: '10 s', '5 min', '1 h', '500 ms'. */
    static String words(Duration duration) {
        long ms = duration.toMillis();
        if (ms == 0) return "'0'";
        if (ms % 86_400_000 == 0) return "'" + ms / 86_400_000 + " d'";
        if (ms % 3_600_000 == 0) return "'" + ms / 3_600_000 + " h'";
        if (ms % 60_000 == 0) return "'" + ms / 60_000 + " min'";
        if (ms % 1000 == 0) return "'" + ms / 1000 + " s'";
        return "'" + ms + " ms'";
    }
}
