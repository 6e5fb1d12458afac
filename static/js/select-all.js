// "Select all" with a count, for a list of checkboxes (strict CSP: no inline script).
//
// Markup: a container [data-select-all="NAME"] is filled with a "Select all" checkbox and a live
// count; NAME is the name of the checkboxes it controls (they may sit anywhere on the page, tied
// to their form with form="..."). Without JavaScript the container stays empty and each box
// still works on its own.
(() => {
  const boxesFor = (name) => Array.from(document.querySelectorAll(`input[type="checkbox"][name="${name}"]`));

  document.querySelectorAll("[data-select-all]").forEach((container, index) => {
    const name = container.dataset.selectAll;
    const boxes = boxesFor(name);
    if (!boxes.length) return;
    const id = `select-all-${index}`;
    const wrap = document.createElement("div");
    wrap.className = "form-check";
    const all = document.createElement("input");
    all.type = "checkbox";
    all.className = "form-check-input";
    all.id = id;
    all.autocomplete = "off";
    const label = document.createElement("label");
    label.className = "form-check-label";
    label.htmlFor = id;
    label.textContent = `Select all ${boxes.length}`;
    wrap.append(all, label);
    const count = document.createElement("p");
    count.className = "small mb-0";
    count.setAttribute("role", "status");
    count.setAttribute("aria-live", "polite");
    container.append(wrap, count);

    const update = () => {
      const chosen = boxes.filter((b) => b.checked).length;
      count.textContent = `${chosen} of ${boxes.length} selected`;
      all.checked = chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    };
    all.addEventListener("change", () => {
      boxes.forEach((b) => { b.checked = all.checked; });
      update();
    });
    boxes.forEach((b) => b.addEventListener("change", update));
    // The browser may restore boxes after load (back button): count what is really ticked.
    window.addEventListener("pageshow", update);
    update();
  });
})();
