/**
 * `{ ...base, ...extra }` without object spread's clone-then-add path (decision 0082).
 *
 * On Node 20 (V8 11.3) an object made by spreading a plain object (a database row, an object literal,
 * component props) and then given a property the source did not have gets a hidden class (map) of its
 * own every time after the first few: ~1 us each and old-generation garbage that only a full GC
 * collects (a case page view made ~7 KB of it, a full GC every ~0.7 s under load). `Object.assign`
 * onto a new literal follows the shared transitions. Same result for the sources this is used with:
 * own enumerable properties, later ones win. Not for objects with an own `__proto__` key (request
 * bodies, parsed JSON): `Object.assign` would set the prototype where spread defines a property.
 */
export function extend<A extends object, B extends object>(base: A, extra: B): Omit<A, keyof B> & B {
  return Object.assign({}, base, extra) as Omit<A, keyof B> & B;
}
