// Tables that do not fit their box become cards: each row a card, each cell labelled with its column's
// heading; a row's own heading (``<th scope="row">``) becomes the card's title. A table is stacked only when it is wider than the screen lets it be (a phone, a narrow
// window), so a wide screen keeps its columns. Runs on load, on resize and after htmx swaps content in.

function labelCells(table) {
  const headings = [];
  const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (head) {
    for (const cell of head.cells) {
      for (let span = 0; span < cell.colSpan; span += 1) headings.push(cell.textContent.trim());
    }
  }
  for (const body of [...table.tBodies, table.tFoot].filter(Boolean)) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        const title = cell.tagName === "TH" && cell.scope === "row";
        if (!title && !cell.dataset.label && headings[column]) cell.dataset.label = headings[column];
        column += cell.colSpan;
      }
    }
  }
}

function fitTables(root) {
  for (const box of (root || document).querySelectorAll(".scroll")) {
    const table = box.querySelector("table");
    if (!table) continue;
    table.classList.remove("stacked");
    if (box.scrollWidth > box.clientWidth + 1) {
      labelCells(table);
      table.classList.add("stacked");
    }
  }
}

let resizing = null;
document.addEventListener("DOMContentLoaded", () => fitTables());
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => fitTables(), 150);
});
document.addEventListener("htmx:afterSettle", (event) => fitTables(event.target));
