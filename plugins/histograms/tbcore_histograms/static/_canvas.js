// Moved to the SDK (shared with the time series dashboard); kept so that this URL still resolves.
export * from "@tbcore/sdk/histogram_canvas.js";
