/**
 * What a rendered card is asked to do again when a setting changes or new data arrives —
 * draw again from its data, make its drawing anew, fetch again — done at once for the cards
 * near the viewport, and for the others when they scroll into view: until then the card is
 * marked `data-stale`. A grid of hundreds of cards, most of them scrolled past, then costs
 * a setting change only the few cards in sight.
 * @module
 */

/** @typedef {"redraw" | "rebuild" | "reload"} CardAction */

/**
 * @typedef {object} CardEntry a rendered card
 * @property {import("./_scalar_card.js").CardView} view
 * @property {HTMLElement} card the card's element (gets `data-stale`)
 */

/**
 * @param {(key: string) => boolean} isVisible whether the card is near the viewport now
 */
export function createStaleCards(isVisible) {
  /** @type {Map<string, Set<CardAction>>} what each card away from the viewport still owes */
  const owed = new Map();

  return {
    /**
     * Ask a card to do `action`: now if it is in sight, else when it next comes into view.
     * @param {string} key the card's grid key
     * @param {CardEntry} entry
     * @param {CardAction} action
     */
    request(key, entry, action) {
      if (isVisible(key)) {
        perform(entry.view, new Set([action]));
        return;
      }
      let actions = owed.get(key);
      if (!actions) owed.set(key, (actions = new Set()));
      actions.add(action);
      entry.card.dataset.stale = "true";
    },

    /**
     * The card came into view: do what it owes.
     * @param {string} key
     * @param {CardEntry} entry
     */
    shown(key, entry) {
      const actions = owed.get(key);
      if (!actions) return;
      owed.delete(key);
      delete entry.card.dataset.stale;
      perform(entry.view, actions);
    },

    /**
     * The card is gone (or rendered anew): it owes nothing.
     * @param {string} key
     */
    forget(key) {
      owed.delete(key);
    },
  };
}

/**
 * Do these actions once each, skipping those another one covers: making the drawing anew or
 * fetching again both draw with the current settings.
 * @param {import("./_scalar_card.js").CardView} view
 * @param {Set<CardAction>} actions
 */
function perform(view, actions) {
  if (actions.has("rebuild")) view.rebuild();
  if (actions.has("reload")) view.reload();
  else if (actions.has("redraw") && !actions.has("rebuild")) view.redraw();
}
