// Keeping the page current: while auto-reload is on, listen to the server's change events
// (`data/live`, Server-Sent Events) and ask for a reload every interval as a fallback.

import { postJson } from "@tbcore/sdk";

/** @typedef {{new_runs?: string[], changed?: Record<string, string[]>, removed_runs?: string[]}} ChangePayload */

/**
 * @param {import("./settings.js").SettingsStore} settings
 * @param {(change: ChangePayload) => void} onChange called with each change the server reports
 * @returns {{reloadNow: () => Promise<ChangePayload | null>, connected: () => boolean}}
 *   `reloadNow` asks the server to reload (its answer, if any); `connected` says whether the
 *   live connection is open
 */
export function startLive(settings, onChange) {
  /** @type {EventSource | null} */
  let source = null;
  let timer = 0;
  let interval = 0;

  const url = (/** @type {string} */ path) => new URL(path, document.baseURI).href;

  async function reloadNow() {
    const answer = await postJson(url("data/reload"), null, { csrf: true });
    return answer && typeof answer === "object" ? answer : null;
  }

  async function tick() {
    try {
      const answer = await reloadNow();
      // Without a live connection the reload's own answer is the only news we get.
      if (answer && source?.readyState !== EventSource.OPEN && (answer.new_runs?.length || answer.removed_runs?.length || hasKeys(answer.changed))) {
        onChange(answer);
      }
    } catch (err) {
      console.warn("tbcore: reload failed:", err);
    }
  }

  function apply() {
    const { autoReload, reloadInterval } = settings.get();
    if (autoReload && !source) {
      source = new EventSource(url("data/live"));
      source.addEventListener("change", (event) => {
        try {
          onChange(JSON.parse(/** @type {MessageEvent} */ (event).data));
        } catch (err) {
          console.warn("tbcore: bad change event:", err);
        }
      });
    } else if (!autoReload && source) {
      source.close();
      source = null;
    }
    if (!autoReload || reloadInterval !== interval) {
      clearInterval(timer);
      timer = 0;
      interval = 0;
    }
    if (autoReload && !timer) {
      interval = reloadInterval;
      timer = window.setInterval(tick, reloadInterval * 1000);
    }
  }

  settings.subscribe(apply);
  apply();
  window.addEventListener("pagehide", () => source?.close());
  return { reloadNow, connected: () => source?.readyState === EventSource.OPEN };
}

/** @param {unknown} value */
function hasKeys(value) {
  return !!value && typeof value === "object" && Object.keys(value).length > 0;
}
