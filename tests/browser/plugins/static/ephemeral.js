// Counts mounts, cleanups and update subscriptions on `window`, for the browser tests.
export function mount(el, ctx) {
  const counters = (window.ephemeral ??= { mounts: 0, cleanups: 0, runCalls: 0 });
  counters.mounts++;
  el.textContent = `mounted ${counters.mounts} time(s)`;
  ctx.runs.subscribe(() => counters.runCalls++);
  return () => {
    counters.cleanups++;
  };
}
