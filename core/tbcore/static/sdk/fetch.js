/**
 * Fetch helpers that turn the server's JSON errors (`{"error": message}`) into exceptions.
 * @module
 */

/** An HTTP request that failed; `message` is the server's `error` text when it sent one. */
export class HttpError extends Error {
  /**
   * @param {string} message
   * @param {number} status HTTP status (0 when the request never got an answer)
   * @param {string} url
   */
  constructor(message, status, url) {
    super(message);
    this.name = "HttpError";
    /** @type {number} */
    this.status = status;
    /** @type {string} */
    this.url = url;
  }
}

/** Header that state-changing routes require (CSRF protection). */
export const CSRF_HEADER = "X-TBCore-Request";

/**
 * @typedef {object} RequestOptions
 * @property {string} [method] default `"GET"`
 * @property {unknown} [json] a value sent as a JSON body (sets `Content-Type`)
 * @property {BodyInit} [body] a raw body (when `json` is not given)
 * @property {Record<string, string>} [headers]
 * @property {boolean} [csrf] add the `X-TBCore-Request: 1` header
 * @property {AbortSignal} [signal]
 */

/**
 * Fetch a URL and check the status; the resolved response is `ok`.
 * @param {string | URL} url
 * @param {RequestOptions} [options]
 * @returns {Promise<Response>} rejects with {@link HttpError}
 */
export async function request(url, options = {}) {
  const headers = { ...(options.headers || {}) };
  let body = options.body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  if (options.csrf) headers[CSRF_HEADER] = "1";
  const href = String(url);
  let response;
  try {
    response = await fetch(href, {
      method: options.method || "GET",
      headers,
      body,
      signal: options.signal,
      credentials: "same-origin",
    });
  } catch (err) {
    if (/** @type {Error} */ (err).name === "AbortError") throw err;
    throw new HttpError(`network error: ${/** @type {Error} */ (err).message}`, 0, href);
  }
  if (!response.ok) throw new HttpError(await errorMessage(response), response.status, href);
  return response;
}

/**
 * @param {Response} response
 * @returns {Promise<string>}
 */
async function errorMessage(response) {
  const fallback = `${response.status} ${response.statusText}`.trim();
  try {
    const text = await response.text();
    try {
      const data = JSON.parse(text);
      if (data && typeof data.error === "string") return data.error;
    } catch {
      // not JSON: fall through to the text itself
    }
    return text.trim() ? text.trim().slice(0, 500) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * GET (or send) and parse JSON.
 * @param {string | URL} url
 * @param {RequestOptions} [options]
 * @returns {Promise<any>} rejects with {@link HttpError}
 */
export async function fetchJson(url, options) {
  const response = await request(url, options);
  return response.json();
}

/**
 * GET (or send) and read the body as text.
 * @param {string | URL} url
 * @param {RequestOptions} [options]
 * @returns {Promise<string>}
 */
export async function fetchText(url, options) {
  return (await request(url, options)).text();
}

/**
 * GET (or send) and read the body as a Blob.
 * @param {string | URL} url
 * @param {RequestOptions} [options]
 * @returns {Promise<Blob>}
 */
export async function fetchBlob(url, options) {
  return (await request(url, options)).blob();
}

/**
 * POST a JSON body and parse the JSON answer (an empty answer resolves to `null`).
 * @param {string | URL} url
 * @param {unknown} body
 * @param {{csrf?: boolean, signal?: AbortSignal}} [options] `csrf` defaults to `true`
 * @returns {Promise<any>}
 */
export async function postJson(url, body, options = {}) {
  const response = await request(url, {
    method: "POST",
    json: body,
    csrf: options.csrf ?? true,
    signal: options.signal,
  });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Build a query string from a params object: arrays repeat their key; `null` and `undefined`
 * values are left out.
 * @param {Record<string, unknown> | undefined} params
 * @returns {string} `""` or `"?a=1&b=2"`
 */
export function queryString(params) {
  if (!params) return "";
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value == null) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v != null) search.append(key, String(v));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
