package clickstream.trino;

import io.trino.plugin.hive.HivePlugin;
import io.trino.plugin.iceberg.IcebergPlugin;
import io.trino.server.testing.TestingTrinoServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One Trino node (coordinator and worker) on 127.0.0.1 with a Hive catalog named {@code lake}: a file
 * metastore and the native local file system, both rooted at one directory, so that a table's
 * location {@code local:///<dir>/} is {@code <root>/<dir>/} on disk. An Iceberg catalog named
 * {@code iceberg} shares that metastore, and each catalog redirects the other's tables to it, so that
 * one schema holds the raw Hive tables, the Iceberg {@code curated_events} and the view over both, as
 * one Glue database does for Athena.
 *
 * <p>Usage: {@code LakeServer <port> <root-dir>}. The testing server reports {@code starting: false} on
 * {@code /v1/info} as soon as it serves HTTP, before this registers the catalog: a client waits for
 * both (engines/trino/engine.ts).
 */
public final class LakeServer
{
    private LakeServer() {}

    public static void main(String[] args)
            throws Exception
    {
        if (args.length != 2) {
            System.err.println("usage: LakeServer <port> <root-dir>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path root = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(root.resolve("metastore"));
        // The testing server's data folder (its plugin folder too, left empty: the plugin is on the class path).
        Files.createDirectories(root.resolve("node"));

        TestingTrinoServer server = TestingTrinoServer.builder()
                .setProperties(Map.of(
                        "http-server.http.port", String.valueOf(port),
                        // Athena's session time zone is UTC; the saved queries' day boundaries depend on it.
                        "sql.forced-session-time-zone", "UTC"))
                .setBaseDataDir(Optional.of(root.resolve("node")))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            }
            catch (Exception e) {
                e.printStackTrace();
            }
        }));

        server.installPlugin(new HivePlugin());
        server.createCatalog("lake", "hive", Map.of(
                "hive.metastore", "file",
                "hive.metastore.catalog.dir", "local:///metastore",
                "fs.local.enabled", "true",
                "local.location", root.toString(),
                "hive.partition-projection-enabled", "true",
                // Athena reads a projected partition with no objects as empty; Trino fails the query
                // on a missing partition folder unless told to skip it.
                "hive.ignore-absent-partitions", "true",
                // Glue tables over the raw lake carry no statistics, so Athena plans without them. Here
                // the file metastore has none for projected partitions either, and the testing server
                // fails a query on a statistics error where a production server would ignore it.
                "hive.table-statistics-enabled", "false",
                // External tables over the lake, as the Glue tables are.
                "hive.non-managed-table-writes-enabled", "false",
                "hive.iceberg-catalog-name", "iceberg"));
        server.installPlugin(new IcebergPlugin());
        server.createCatalog("iceberg", "iceberg", Map.of(
                // Trino 483's Iceberg catalog on a file metastore (the Glue catalog's stand-in).
                "iceberg.catalog.type", "testing_file_metastore",
                "hive.metastore.catalog.dir", "local:///metastore",
                "fs.local.enabled", "true",
                "local.location", root.toString(),
                "iceberg.hive-catalog-name", "lake",
                // Athena's VACUUM takes its retention from table properties with no floor; Trino refuses
                // a retention under 7 days unless lowered, which the maintenance tests need.
                "iceberg.expire-snapshots.min-retention", "0s",
                "iceberg.remove-orphan-files.min-retention", "0s"));
        System.out.println("trino lake server listening on " + server.getBaseUrl());
        Thread.currentThread().join();
    }
}
