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

// Session time-out warning (WCAG 2.2.1): two minutes before the idle limit, a dialog offers to
// stay signed in. "Stay signed in" posts to /session/keepalive with the page's CSRF token.
(function () {
  'use strict';
  var idle = Number(document.body.getAttribute('data-session-idle-ms'));
  var dialog = document.getElementById('timeout-dialog');
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!idle || !dialog || typeof dialog.showModal !== 'function') return;
  var warnAfter = Math.max(idle - 120000, 20000);
  var warnTimer;
  var signOutTimer;
  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(signOutTimer);
    warnTimer = setTimeout(function () {
      dialog.showModal();
    }, warnAfter);
    signOutTimer = setTimeout(function () {
      window.location.href = '/login?timeout=1';
    }, idle);
  }
  dialog.querySelector('[data-timeout-extend]').addEventListener('click', function () {
    fetch('/session/keepalive', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': meta ? meta.getAttribute('content') : '' },
    }).then(function (r) {
      if (r.ok) {
        dialog.close();
        arm();
      } else {
        window.location.href = '/login?timeout=1';
      }
    });
  });
  arm();
})();
