import { type FlatProperties, PROPERTY_PATH_SEPARATOR, type PropertiesDepth1 } from '../../contract';

/**
 * Flattens validated `properties` into one level: nested keys joined with '.', every value a
 * string (numbers and booleans as their JSON text, arrays as JSON text) or null.
 * `{ plan: { tier: 'pro', seats: 3 }, tags: ['a', 'b'], ref: null }` becomes
 * `{ 'plan.tier': 'pro', 'plan.seats': '3', tags: '["a","b"]', ref: null }`. An empty nested
 * object has no values and so no key. The result has no prototype, so keys such as `__proto__`
 * or `constructor` are plain keys and never reach Object.prototype.
 */
export function flattenProperties(properties: PropertiesDepth1): FlatProperties {
  const flat: FlatProperties = Object.create(null);
  addLeaves(flat, '', properties);
  return flat;
}

function addLeaves(flat: FlatProperties, prefix: string, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    const path = prefix + key;
    if (value === null || typeof value === 'string') flat[path] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') flat[path] = String(value);
    else if (Array.isArray(value)) flat[path] = JSON.stringify(value);
    else if (typeof value === 'object') {
      addLeaves(flat, path + PROPERTY_PATH_SEPARATOR, value as Record<string, unknown>);
    }
  }
}
