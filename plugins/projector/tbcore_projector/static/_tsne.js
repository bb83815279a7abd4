/**
 * Following a t-SNE job on the server: start it (POST `tsne`), then poll its positions
 * (`tsne_positions`) until it is done, handing each snapshot on as it arrives.
 * @module
 */

const POLL_MS = 250;

/**
 * Start or join the job for these parameters and follow it until done or stopped.
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @param {{run: string, name: string, perplexity: number, learning_rate: number, iterations: number, dimensions: number}} params
 * @param {(positions: Float32Array, progress: {iteration: number, iterations: number, done: boolean, error: string}) => void} onSnapshot
 * @returns {{stop: () => void, finished: Promise<void>}}
 */
export function followTsne(ctx, params, onSnapshot) {
  let stopped = false;
  const finished = (async () => {
    const started = await ctx.postJson("tsne", params);
    let last = -1;
    while (!stopped) {
      const response = await fetch(ctx.url("tsne_positions", { job: started.job }), { signal: ctx.signal });
      if (!response.ok) throw new Error(`t-SNE positions: HTTP ${response.status}`);
      const progress = JSON.parse(response.headers.get("x-tsne-progress") || "{}");
      const buffer = await response.arrayBuffer();
      if (stopped) return;
      if (progress.iteration !== last || progress.done) {
        last = progress.iteration;
        onSnapshot(new Float32Array(buffer), progress);
      }
      if (progress.done) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  return { stop: () => { stopped = true; }, finished };
}
