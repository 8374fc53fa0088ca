/* forms.js: a form is sent once. On a slow line a tap that seems to do
   nothing invites a second one, which sent the form twice (two applications
   with two numbers). When a POST form is submitted, a second submit of it is
   ignored, and its submit buttons are disabled and say the body's
   data-sending text ("Mengirim…") until the next page arrives. They are
   disabled just after the submit, so the pressed button's name and value
   still go with the form. Coming back with the Back button re-enables them.
   Optional: every form works without it. */
(function () {
  function buttons(f) { return f.querySelectorAll('button[type="submit"],button:not([type])'); }
  document.addEventListener('submit', function (e) {
    var f = e.target, sending = document.body.getAttribute('data-sending') || '…';
    if (!f || (f.getAttribute('method') || '').toLowerCase() !== 'post') return;
    if (f.getAttribute('data-sent')) { e.preventDefault(); return; }
    if (e.defaultPrevented) return;
    f.setAttribute('data-sent', '1');
    setTimeout(function () {
      Array.prototype.forEach.call(buttons(f), function (b) {
        b.setAttribute('data-label', b.textContent);
        b.disabled = true;
        if (b === e.submitter || buttons(f).length === 1) b.textContent = sending;
      });
    }, 0);
  });
  window.addEventListener('pageshow', function (e) {
    if (!e.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll('form[data-sent]'), function (f) {
      f.removeAttribute('data-sent');
      Array.prototype.forEach.call(buttons(f), function (b) {
        b.disabled = false;
        if (b.getAttribute('data-label') !== null) b.textContent = b.getAttribute('data-label');
      });
    });
  });
})();
