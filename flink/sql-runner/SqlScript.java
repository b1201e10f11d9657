// Splits a learner's script into statements at semicolons outside quotes and comments, keeping where
// each statement starts, so the planner's "line 1, column 8" can be told as a line of the whole script.
package dev.tributary.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class SqlScript {
    /** One statement: its text (without the semicolon) and the script line and column it starts at. */
    record Statement(String text, int line, int column) {
        private static final Pattern POSITION = Pattern.compile("line (\\d+), column (\\d+)");
        private static final Pattern QUOTED = Pattern.compile("'[^']+'");

        /**
         * "line L, column C" in the script of the first 'quoted' word of `message` within this statement,
         * or of the statement's start when the message quotes nothing the statement holds.
         */
        String whereQuoted(String message) {
            Matcher quoted = QUOTED.matcher(message);
            int at = quoted.find() ? text.indexOf(quoted.group()) : -1;
            int l = line, c = column;
            for (int i = 0; i < at; i++) {
                if (text.charAt(i) == '\n') {
                    l++;
                    c = 1;
                } else {
                    c++;
                }
            }
            return "line " + l + ", column " + c;
        }

        /** Rewrites every "line L, column C" in a message about this statement as a position in the script. */
        String locate(String message) {
            Matcher m = POSITION.matcher(message);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                int l = Integer.parseInt(m.group(1));
                int c = Integer.parseInt(m.group(2));
                m.appendReplacement(out, "line " + (line + l - 1) + ", column " + (l == 1 ? column + c - 1 : c));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    private SqlScript() {}

    static List<Statement> split(String script) {
        List<Statement> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1, column = 1, startLine = 1, startColumn = 1;
        boolean started = false;
        char quote = 0;
        for (int i = 0; i < script.length(); i++) {
            char ch = script.charAt(i);
            char next = i + 1 < script.length() ? script.charAt(i + 1) : 0;
            if (quote == 0 && ch == '-' && next == '-') {
                // A line comment is kept as blank space, so positions inside the statement do not move.
                while (i < script.length() && script.charAt(i) != '\n') {
                    if (started) current.append(' ');
                    i++;
                    column++;
                }
                i--;
                column--;
            } else if (quote == 0 && ch == ';') {
                if (started) statements.add(new Statement(current.toString(), startLine, startColumn));
                current.setLength(0);
                started = false;
            } else {
                if (quote == 0 && (ch == '\'' || ch == '"' || ch == '`')) quote = ch;
                else if (quote == ch) quote = 0;
                if (!started && !Character.isWhitespace(ch)) {
                    started = true;
                    startLine = line;
                    startColumn = column;
                }
                if (started) current.append(ch);
            }
            if (ch == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        if (started && !current.toString().isBlank()) statements.add(new Statement(current.toString(), startLine, startColumn));
        return statements;
    }
}
