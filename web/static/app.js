// Spillwatch UI: small progressive enhancements (every page works without this file).
"use strict";
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) { return; }
  var form = box.closest("form");
  if (!form) { return; }
  form.querySelectorAll('input[type="checkbox"][name="' + box.dataset.selectAll + '"]').forEach(function (other) {
    other.checked = box.checked;
  });
});
