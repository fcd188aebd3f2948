// Copy button for a newly created API token key (the page works without it: select and copy).
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const done = document.querySelector("[data-copied]");
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  field.addEventListener("focus", () => field.select());
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(field.value);
    if (done) done.hidden = false;
  });
});
