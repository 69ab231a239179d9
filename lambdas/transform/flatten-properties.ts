import { PROPERTY_PATH_SEPARATOR, type PropertiesDepth1 } from '../../contract';

/**
 * The JSON text of validated `properties` flattened into one level: nested keys joined with '.',
 * every value a string (numbers and booleans as their JSON text, arrays as JSON text) or null.
 * `{ plan: { tier: 'pro', seats: 3 }, tags: ['a', 'b'], ref: null }` becomes
 * `{"plan.tier":"pro","plan.seats":"3","tags":"[\"a\",\"b\"]","ref":null}`. An empty nested
 * object has no values and so no key. Written as text, with no flattened object in between, so
 * keys such as `__proto__` or `constructor` are plain text and never reach a prototype. The keys
 * come in the order an object holding them would list them: the only keys that look like array
 * indices are top-level ones (nested paths contain '.'), which the parsed source already lists first.
 */
export function flatPropertiesJson(properties: PropertiesDepth1, plainStrings: boolean): string {
  const members = leafMembers('', properties, plainStrings);
  return members === '' ? '{}' : `{${members.slice(1)}}`;
}

/**
 * `,"path":value` for every leaf under `source`. With `plain` (no string in the source needs
 * escaping, see decodeRecord) keys and strings are written between quotes as they are.
 */
function leafMembers(prefix: string, source: Record<string, unknown>, plain: boolean): string {
  let members = '';
  for (const key of Object.keys(source)) {
    const value = source[key];
    const path = prefix + key;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      members += leafMembers(path + PROPERTY_PATH_SEPARATOR, value as Record<string, unknown>, plain);
      continue;
    }
    const name = plain ? `,"${path}":` : `,${JSON.stringify(path)}:`;
    if (value === null) members += `${name}null`;
    else if (typeof value === 'string') members += plain ? `${name}"${value}"` : name + JSON.stringify(value);
    // A number's or boolean's text holds no character JSON escapes.
    else if (typeof value === 'number' || typeof value === 'boolean') members += `${name}"${value}"`;
    // An array's JSON text has quotes around its strings, so it is always escaped.
    else if (Array.isArray(value)) members += name + JSON.stringify(JSON.stringify(value));
  }
  return members;
}
