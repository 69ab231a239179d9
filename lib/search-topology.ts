import type { OpenSearchConfig } from './config';

/**
 * How the domain spreads its data nodes and each shard's copies over availability zones. The
 * domain (lib/search-domain.ts) and the index templates (lib/search-index-setup.ts) both read it,
 * so the replica count always matches the zone layout.
 */
export interface SearchTopology {
  /** Zones the data nodes spread over; 1 means no zone awareness. */
  readonly zones: number;
  /** Multi-AZ with standby: three zones, one of them standby. It needs dedicated cluster managers. */
  readonly multiAzWithStandby: boolean;
  /** Replicas of every shard of the `events-*` and `incoming-*` indices. */
  readonly replicas: number;
}

/**
 * The topology a stage's OpenSearch settings give. With zone awareness every zone holds one copy
 * of each shard (1 + replicas = zones): Multi-AZ with standby refuses to create an index whose
 * copies are not a multiple of its 3 zones ("expected total copies needs to be a multiple of total
 * awareness attributes [3]"), and a copy per zone is what survives the loss of a zone. In one zone
 * a second node gets one replica; a lone node gets none (a replica could never be assigned).
 */
export function searchTopology(opensearch: OpenSearchConfig): SearchTopology {
  const zones = opensearch.availabilityZones;
  const replicas = zones > 1 ? zones - 1 : opensearch.instanceCount > 1 ? 1 : 0;
  return { zones, multiAzWithStandby: zones === 3 && opensearch.dedicatedManagerCount > 0, replicas };
}
