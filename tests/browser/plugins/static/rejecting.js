export async function mount(el) {
  el.textContent = "about to fail";
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new Error('<img src=x onerror="alert(2)"> async failure');
}
