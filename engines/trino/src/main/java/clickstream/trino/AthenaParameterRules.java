package clickstream.trino;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trino.sql.parser.ParsingException;
import io.trino.sql.parser.SqlParser;
import io.trino.sql.tree.Join;
import io.trino.sql.tree.Node;
import io.trino.sql.tree.Parameter;
import io.trino.sql.tree.Query;
import io.trino.sql.tree.QuerySpecification;
import io.trino.sql.tree.Statement;
import io.trino.sql.tree.Unnest;
import io.trino.sql.tree.Values;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks SQL files against Athena's rules for execution parameters, which Trino itself does not
 * enforce (Athena user guide, "Use parameterized queries", considerations and limitations): a
 * {@code ?} may only stand in a WHERE clause, and a query takes at most 25 of them.
 *
 * <p>Each file is parsed with Trino's own parser. A parameter passes when the innermost clause that
 * holds it is the WHERE of a query specification (a CTE's or a subquery's WHERE counts; a
 * parameter inside a subquery's JOIN ON, say, does not, even if that subquery sits in a WHERE).
 *
 * <p>Usage: {@code AthenaParameterRules <file.sql>...}. Prints one JSON array with, per file,
 * {@code file}, {@code parameters} (the count), {@code violations} (line, column, clause) and
 * {@code error} for a file that does not parse. Exits 1 when any file breaks a rule or does not parse.
 */
public final class AthenaParameterRules
{
    static final int MAX_PARAMETERS = 25;
    private static final String WHERE = "WHERE";

    private AthenaParameterRules() {}

    public static void main(String[] args)
            throws Exception
    {
        SqlParser parser = new SqlParser();
        List<Map<String, Object>> reports = new ArrayList<>();
        boolean failed = false;
        for (String file : args) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("file", file);
            try {
                String sql = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
                // A saved query is one statement; a trailing semicolon is not part of Trino's grammar.
                if (sql.endsWith(";")) {
                    sql = sql.substring(0, sql.length() - 1);
                }
                Statement statement = parser.createStatement(sql);
                List<Map<String, Object>> parameters = new ArrayList<>();
                walk(statement, "statement", parameters);
                List<Map<String, Object>> violations = new ArrayList<>(
                        parameters.stream().filter(p -> !WHERE.equals(p.get("clause"))).toList());
                if (parameters.size() > MAX_PARAMETERS) {
                    violations.add(Map.of("clause", "query", "message",
                            parameters.size() + " parameters, more than Athena's " + MAX_PARAMETERS));
                }
                report.put("parameters", parameters.size());
                report.put("violations", violations);
                failed |= !violations.isEmpty();
            }
            catch (ParsingException e) {
                report.put("error", e.getMessage());
                failed = true;
            }
            reports.add(report);
        }
        System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(reports));
        System.exit(failed ? 1 : 0);
    }

    /** Records every parameter under {@code node} with the innermost clause that holds it. */
    private static void walk(Node node, String clause, List<Map<String, Object>> parameters)
    {
        if (node instanceof Parameter parameter) {
            Map<String, Object> found = new LinkedHashMap<>();
            parameter.getLocation().ifPresent(location -> {
                found.put("line", location.getLineNumber());
                found.put("column", location.getColumnNumber());
            });
            found.put("clause", clause);
            parameters.add(found);
            return;
        }
        for (Node child : node.getChildren()) {
            walk(child, clauseOf(node, child, clause), parameters);
        }
    }

    private static String clauseOf(Node parent, Node child, String inherited)
    {
        return switch (parent) {
            case QuerySpecification spec -> querySpecificationClause(spec, child);
            case Query query -> is(query.getOrderBy(), child) ? "ORDER BY"
                    : is(query.getOffset(), child) ? "OFFSET"
                    : is(query.getLimit(), child) ? "LIMIT"
                    : inherited;
            case Join join -> child == join.getLeft() || child == join.getRight() ? inherited : "JOIN ON";
            case Unnest ignored -> "UNNEST";
            case Values ignored -> "VALUES";
            default -> inherited;
        };
    }

    private static String querySpecificationClause(QuerySpecification spec, Node child)
    {
        if (is(spec.getWhere(), child)) {
            return WHERE;
        }
        if (child == spec.getSelect()) {
            return "SELECT list";
        }
        if (is(spec.getFrom(), child)) {
            return "FROM";
        }
        if (is(spec.getGroupBy(), child)) {
            return "GROUP BY";
        }
        if (is(spec.getHaving(), child)) {
            return "HAVING";
        }
        if (is(spec.getOrderBy(), child)) {
            return "ORDER BY";
        }
        if (is(spec.getOffset(), child)) {
            return "OFFSET";
        }
        if (is(spec.getLimit(), child)) {
            return "LIMIT";
        }
        return "WINDOW";
    }

    private static boolean is(Optional<? extends Node> clause, Node child)
    {
        return clause.isPresent() && clause.get() == child;
    }
}
