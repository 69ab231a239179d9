/**
 * A bounded cache for pure, costly derivations of repeated strings (user agents, URLs). When full
 * it forgets its oldest entry. Refreshing an entry on every hit (true LRU) costs a Map delete and
 * insert per record, more than re-deriving a popular key once per `capacity` new keys.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string, derive: (key: string) => V): V {
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
    const value = derive(key);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }
}
