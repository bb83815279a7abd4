export function mount(el) { el.textContent = "good"; }
