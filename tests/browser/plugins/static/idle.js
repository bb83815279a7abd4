export function mount(el) {
  el.textContent = "idle dashboard mounted";
}
