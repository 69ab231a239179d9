package clickstream.engines.opensearch;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.ingest.common.IngestCommonPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.script.mustache.MustachePlugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node from jars on the class path, as a distribution would with its modules
 * installed: the modules are handed to the node as class-path plugins (the way OpenSearch's own
 * test framework starts nodes), since Maven Central serves their jars but no distribution.
 *
 * <p>Class-path plugins cannot extend one another (the node gets classes, not plugin descriptors),
 * so extensions such as ingest-common's Painless allow-list are absent; nothing here needs them.
 * Logging comes from {@code log4j2.properties} on the class path (OpenSearch's LogConfigurator
 * would replace it with an empty configuration).
 *
 * <p>Arguments are node settings as {@code key=value}; {@code path.home} is required. The process
 * runs until it is sent SIGTERM, which closes the node.
 */
public final class OpenSearchNode {
    /**
     * Modules whose features the product's requests use (HTTP, ingest processors, mustache templates
     * in them, delete-by-query).
     */
    private static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class,
        IngestCommonPlugin.class,
        MustachePlugin.class,
        PainlessPlugin.class,
        CommonAnalysisPlugin.class,
        MapperExtrasPlugin.class,
        ReindexPlugin.class
    );

    private OpenSearchNode() {}

    /** Node's constructor taking class-path plugins is protected; this subclass exposes it. */
    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment) {
            super(environment, MODULES, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (equals <= 0) throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
            builder.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
        Settings settings = builder.build();
        String home = settings.get(Environment.PATH_HOME_SETTING.getKey());
        if (home == null) throw new IllegalArgumentException("path.home=<dir> is required");

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings,
            Collections.emptyMap(),
            Path.of(home, "config"),
            () -> settings.get("node.name", "clickstream-engine")
        );
        Node node = new ClasspathNode(environment);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "close-node"));
        node.start();
        closed.await();
    }
}
