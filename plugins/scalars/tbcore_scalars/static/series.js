/**
 * Helpers shared by the scalars dashboards' modules.
 * @module
 */

const NON_FINITE = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/**
 * Numbers from a JSON array in which non-finite values arrive as TensorBoard's strings.
 * @param {(number|string)[]} values
 * @returns {Float64Array}
 */
export function numbers(values) {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === "string" ? NON_FINITE[v] ?? NaN : v;
  }
  return out;
}
