// The console's one script: "select all" on bulk forms. Pages work without it.
document.addEventListener("change", (e) => {
  const all = e.target.closest("input[data-select-all]");
  if (!all) return;
  const form = document.getElementById(all.dataset.selectAll);
  if (!form) return;
  for (const box of form.elements) if (box.name === "entry") box.checked = all.checked;
});
