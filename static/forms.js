/* forms.js: a form is sent once. On a slow line a tap that seems to do
   nothing invites a second one, which sent the form twice (two applications
   with two numbers). When a POST form is submitted, a second submit of it is
   ignored, and its submit buttons are disabled and say the body's
   data-sending text ("Mengirim…") until the next page arrives. They are
   disabled just after the submit, so the pressed button's name and value
   still go with the form. Coming back with the Back button re-enables them.
   A form with a one-time key (_nonce: the complaint, the application) also
   keeps its key for this tab (sessionStorage) from the moment it is sent
   until a page says that it arrived (data-once-done="ACTION"). If its
   answer never came (the line dropped after the server filed it, and the
   citizen opens the form again), the form opened again in this tab
   (data-once-fresh: not one the server sent back with an error) takes that
   key, so sending it again files nothing twice: the server answers with
   what the first one filed, or says that it was filed when what is sent
   now differs. Another tab, or the next person on the phone, never gets it.
   Optional: every form works without it. */
(function () {
  function buttons(f) { return f.querySelectorAll('button[type="submit"],button:not([type])'); }
  var ss = null;
  try { ss = window.sessionStorage; ss.getItem('sigap-once:'); } catch (e) { ss = null; }
  function onceName(action) { return 'sigap-once:' + action; }
  function onceOf(f) { return f.querySelector('input[type="hidden"][name="_nonce"]'); }
  if (ss) {
    try {
      Array.prototype.forEach.call(document.querySelectorAll('[data-once-done]'), function (el) {
        ss.removeItem(onceName(el.getAttribute('data-once-done')));
      });
      Array.prototype.forEach.call(document.querySelectorAll('form[method="post"]'), function (f) {
        var k = onceOf(f), name = onceName(f.getAttribute('action') || ''), kept;
        if (!k) return;
        if (!f.hasAttribute('data-once-fresh')) { ss.removeItem(name); return; }
        kept = ss.getItem(name);
        if (kept && /^[A-Za-z0-9_-]{16,64}$/.test(kept)) k.value = kept;
      });
    } catch (e) { /* storage refused: the form still works */ }
  }
  document.addEventListener('submit', function (e) {
    var f = e.target, sending = document.body.getAttribute('data-sending') || '…';
    if (!f || (f.getAttribute('method') || '').toLowerCase() !== 'post') return;
    if (f.getAttribute('data-sent')) { e.preventDefault(); return; }
    if (e.defaultPrevented) return;
    f.setAttribute('data-sent', '1');
    if (ss && onceOf(f)) {
      try { ss.setItem(onceName(f.getAttribute('action') || ''), onceOf(f).value); } catch (x) { /* not kept */ }
    }
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
