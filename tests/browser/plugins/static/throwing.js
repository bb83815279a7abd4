export function mount() {
  throw new Error("mount exploded");
}
