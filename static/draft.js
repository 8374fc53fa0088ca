/* draft.js: what a citizen typed into a long form survives a page that
   hung, a dead connection or a tap on the wrong link. Optional: the form
   works without it. A form with data-draft="NAME" (the complaint form, one
   per tenant: "pengaduan:52.71") keeps its text fields, selects and radio
   buttons in the phone's localStorage as they are typed; never a file, a
   hidden field (its one-time key, its CSRF token), a password, an e-mail
   address or a phone number (type email or tel), or a field marked
   data-draft-skip (the reporter's name, e-mail address and phone number:
   the next person on a shared phone would see them). Opened again with its fields empty,
   the form gets the draft back and says so (#draft-notice), with a button
   (#draft-clear) that empties the form and forgets the draft. A form the
   server sent back filled in (an error) is left as it is, and saved from
   there. The page that confirms a filing carries data-draft-done="NAME"
   and forgets the draft; a draft older than a week is forgotten too.
   Officials' pages have no data-draft: nothing of theirs is kept. */
(function () {
  var PREFIX = 'sigap-draft:', MAX_AGE = 7 * 86400 * 1000, ls;
  try { ls = window.localStorage; ls.getItem(PREFIX); } catch (e) { return; }
  if (!ls) return;
  Array.prototype.forEach.call(document.querySelectorAll('[data-draft-done]'), function (el) {
    try { ls.removeItem(PREFIX + el.getAttribute('data-draft-done')); } catch (e) { /* nothing kept */ }
  });
  var form = document.querySelector('form[data-draft]');
  if (!form) return;
  var key = PREFIX + form.getAttribute('data-draft');
  var notice = document.getElementById('draft-notice'), clear = document.getElementById('draft-clear');

  function kept() {
    return Array.prototype.filter.call(form.elements, function (el) {
      var t = (el.type || '').toLowerCase();
      return el.name && !el.hasAttribute('data-draft-skip') && !el.disabled &&
        (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' ||
         (el.tagName === 'INPUT' && ['hidden', 'file', 'password', 'email', 'tel', 'submit', 'button', 'reset', 'image', 'checkbox'].indexOf(t) < 0));
    });
  }
  function typed(el) {
    return (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && el.type !== 'radio')) && el.value.trim() !== '';
  }
  function save() {
    var v = {}, any = false;
    kept().forEach(function (el) {
      if (el.type === 'radio') { if (el.checked) v[el.name] = el.value; return; }
      v[el.name] = el.value;
      if (typed(el)) any = true;
    });
    try {
      if (any) ls.setItem(key, JSON.stringify({ t: Date.now(), v: v }));
      else ls.removeItem(key);
    } catch (e) { /* storage full or refused: the form still works */ }
  }
  function read() {
    try {
      var d = JSON.parse(ls.getItem(key) || 'null');
      if (d && d.v && typeof d.v === 'object' && Date.now() - d.t < MAX_AGE) return d.v;
      ls.removeItem(key);
    } catch (e) { /* not ours, or storage refused */ }
    return null;
  }

  var d = read(), els = kept();
  if (d && !els.some(typed)) {
    els.forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(d, el.name)) return;
      if (el.type === 'radio') el.checked = el.value === d[el.name];
      else el.value = String(d[el.name]);
    });
    if (notice) notice.hidden = false;
  }
  if (clear) clear.addEventListener('click', function () {
    try { ls.removeItem(key); } catch (e) { /* nothing kept */ }
    form.reset();
    kept().forEach(function (el) { if (typed(el)) el.value = ''; });
    if (notice) notice.hidden = true;
    var first = form.querySelector('textarea, input:not([type=hidden])');
    if (first) first.focus();
  });
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(save, 400); }
  form.addEventListener('input', later);
  form.addEventListener('change', later);
  /* what was typed in the last moment before leaving, or before sending
     (kept until the page that confirms the filing says it arrived) */
  window.addEventListener('pagehide', function () { clearTimeout(timer); save(); });
  form.addEventListener('submit', function () { clearTimeout(timer); save(); });
})();
