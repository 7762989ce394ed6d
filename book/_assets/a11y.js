// Accessibility fixes for the book theme's own controls (WCAG 2.5.3 "label in name").
// The theme's search buttons show "Search" and a keyboard shortcut but carry aria-label="Search",
// so a speech-input user saying what they see would not match; their visible text is a better
// name, so the override is removed.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".search-button-field[aria-label]")) {
    button.removeAttribute("aria-label");
  }
});
