// Accessibility fixes for the book theme's own controls (WCAG 2.5.3 "label in name": a control's
// accessible name must contain the text it shows, so that speech-input users can say what they see).
document.addEventListener("DOMContentLoaded", () => {
  // The search buttons show "Search" and a keyboard shortcut but are named "Search" alone:
  // their visible text is the better name, so the override goes.
  for (const button of document.querySelectorAll(".search-button-field[aria-label]")) {
    button.removeAttribute("aria-label");
  }
  // The colour-mode button is named "Color mode" while its icons carry titles ("Light", "Dark",
  // "System Settings") that count as its text; the button's own tooltip already says what it does.
  for (const icon of document.querySelectorAll(".theme-switch-button [title]")) {
    icon.removeAttribute("title");
  }
});
