// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();

  // Quick Actions: close with Escape (focus back on the button) or a click elsewhere.
  var menus = document.querySelectorAll('details.quick-actions');
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    menus.forEach(function (d) {
      if (d.open) {
        d.open = false;
        var s = d.querySelector('summary');
        if (s) s.focus();
      }
    });
  });
  document.addEventListener('click', function (e) {
    menus.forEach(function (d) {
      if (d.open && !d.contains(e.target)) d.open = false;
    });
  });
})();
