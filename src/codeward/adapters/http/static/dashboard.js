// Clicking a finding points at its lines in the snippet above it.
document.addEventListener("click", (event) => {
  const row = event.target.closest("table.findings tbody tr[data-lines]");
  if (!row) return;
  const card = row.closest("article");
  if (!card) return;
  card.querySelectorAll("ol.code li.pointed").forEach((li) => li.classList.remove("pointed"));
  const wanted = row.dataset.lines.split(" ").filter(Boolean);
  wanted.forEach((number) => {
    const line = card.querySelector(`ol.code li[value="${number}"]`);
    if (line) line.classList.add("pointed");
  });
  const first = wanted.length ? card.querySelector(`ol.code li[value="${wanted[0]}"]`) : null;
  if (first) first.scrollIntoView({ block: "nearest", behavior: "smooth" });
});

// A reviewer cannot send a verdict without saying why.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form.decide")) return;
  const comment = form.querySelector("textarea[name=comment]");
  if (comment && !comment.value.trim()) {
    event.preventDefault();
    comment.focus();
  }
});
