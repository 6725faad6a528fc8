// The desk's small helpers (a static file: the Content Security Policy allows no inline script).

// What the NIK says fills the birth date and sex, unless the teller typed them: after each preview the
// fields take the NIK's values when empty or when they still hold what an earlier NIK filled in.
document.addEventListener("htmx:afterSwap", (event) => {
  const preview = event.target.closest ? event.target.closest("#nik-preview") : null;
  if (!preview) return;
  const born = preview.querySelector("[data-testid=nik-birth-date]");
  const birthInput = document.querySelector("input[name=birth_date]");
  if (born && birthInput && (!birthInput.value || birthInput.value === birthInput.dataset.fromNik)) {
    birthInput.value = born.dataset.value;
    birthInput.dataset.fromNik = born.dataset.value;
  }
  const sex = preview.querySelector("[data-testid=nik-sex]");
  const checked = document.querySelector("input[name=sex]:checked");
  if (sex && (!checked || checked.dataset.fromNik === "1")) {
    const choice = document.querySelector(`input[name=sex][value="${sex.dataset.value}"]`);
    if (choice) {
      if (checked) delete checked.dataset.fromNik;
      choice.checked = true;
      choice.dataset.fromNik = "1";
    }
  }
});

// A button that prints the page (the receipt).
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
