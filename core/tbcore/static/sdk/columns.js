/**
 * Columns of scalar points as the scalars `series` route sends them: its binary form read in
 * place, and JSON arrays with TensorBoard's non-finite strings made numbers.
 * @module
 */

const NON_FINITE = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/**
 * Numbers from a JSON array in which non-finite values arrive as TensorBoard's strings (a
 * typed array, from the binary route, is returned as it is).
 * @param {(number|string)[] | Float32Array | Float64Array} values
 * @returns {Float32Array | Float64Array}
 */
export function numbers(values) {
  if (values instanceof Float64Array || values instanceof Float32Array) return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === "string" ? NON_FINITE[v] ?? NaN : v;
  }
  return out;
}

/**
 * @typedef {object} RunColumns
 * @property {number} total points in the whole series
 * @property {Float64Array} step
 * @property {Float64Array} [wall_time]
 * @property {Float32Array | Float64Array} value
 */

/**
 * Read the `series` route's binary answer (`format=binary`; layout in `binary_columns.py`):
 * the arrays are views into `buffer`, nothing is parsed but the small header.
 * @param {ArrayBuffer} buffer
 * @returns {Record<string, RunColumns>}
 */
export function decodeColumns(buffer) {
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  /** @type {Record<string, any>} */
  const out = {};
  for (const run of header.runs) {
    /** @type {Record<string, any>} */
    const cols = { total: run.total, offset: run.offset ?? 0 };
    for (const [name, [offset, dtype]] of Object.entries(run.columns)) {
      cols[name] = dtype === "float32" ? new Float32Array(buffer, offset, run.length) : new Float64Array(buffer, offset, run.length);
    }
    out[run.run] = cols;
  }
  return out;
}

/**
 * Fetch a scalars `series` route (`series` under the routes `ctx` fetches from) in its binary form.
 * @param {{fetchBlob: (route: string, params?: Record<string, unknown>, options?: {signal?: AbortSignal}) => Promise<Blob>}} ctx
 * @param {Record<string, unknown>} params
 * @param {AbortSignal} signal
 */
export async function fetchColumns(ctx, params, signal) {
  const blob = await ctx.fetchBlob("series", { ...params, format: "binary" }, { signal });
  return decodeColumns(await blob.arrayBuffer());
}
