/* complaints.js: the intake form's "use my location" button. Optional: the
   form works without it. When the browser can locate the phone, the button
   shows and fills the latitude and longitude fields, and the note under it
   says so; when it cannot (permission refused, no fix in time), the note says
   what to do instead (its data-denied text, in the page's language). (Photos
   are made smaller before they are sent by upload.js.) */
(function () {
  var b = document.getElementById('cpl-locate');
  if (!b || !navigator.geolocation) return;
  b.hidden = false;
  var note = document.getElementById('cpl-locate-note');
  function say(t) { if (note) note.textContent = t; }
  b.addEventListener('click', function () {
    b.disabled = true;
    say('');
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById('lat').value = p.coords.latitude.toFixed(6);
      document.getElementById('long').value = p.coords.longitude.toFixed(6);
      say((b.getAttribute('data-found') || '') + ' ' + p.coords.latitude.toFixed(5) + ', ' + p.coords.longitude.toFixed(5));
      b.disabled = false;
    }, function () {
      say(b.getAttribute('data-denied') || '');
      b.disabled = false;
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();

/* The complaint page: "Pakai sebagai dasar jawaban" puts an earlier answer
   into the answer field (asking first when something is typed there). The
   buttons stay hidden without this script; the answers can be copied. */
(function () {
  var bs = document.querySelectorAll('button.cpl-use');
  for (var i = 0; i < bs.length; i++) {
    var b = bs[i];
    b.hidden = false;
    b.addEventListener('click', function (e) {
      var btn = e.currentTarget;
      var from = document.getElementById(btn.getAttribute('data-from'));
      var to = document.getElementById(btn.getAttribute('data-to'));
      if (!from || !to) return;
      if (to.value.trim() !== '' && to.value !== from.textContent && !window.confirm(btn.getAttribute('data-confirm') || '')) return;
      to.value = from.textContent;
      to.focus();
    });
  }
})();

/* The intake form: "Laporan serupa yang sudah ada". Once a category, a
   place (kelurahan or coordinates) and some text are there, the open
   complaints the duplicate search finds are asked for (GET .../serupa,
   after a pause in typing) and listed with a link to follow them instead of
   filing again. Without this script the form works as before. */
(function () {
  var box = document.getElementById('cpl-similar-open');
  if (!box || !window.fetch) return;
  var list = box.querySelector('ul');
  var ids = ['category', 'kelurahan', 'lat', 'long', 'title', 'description'];
  var timer = null, last = '', seq = 0;
  function val(id) { var e = document.getElementById(id); return e ? e.value.trim() : ''; }
  function show(items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    for (var i = 0; i < items.length; i++) {
      var it = items[i], li = document.createElement('li'), a = document.createElement('a');
      a.href = it.url;
      a.textContent = it.number + ' — ' + it.title;
      li.appendChild(a);
      var st = document.createElement('small');
      st.textContent = ' (' + it.status_label + (it.followers > 0 ? '; ' + it.followers + ' ' + (box.getAttribute('data-followers') || '') : '') + ')';
      li.appendChild(st);
      var f = document.createElement('a');
      f.href = it.url + '#cpl-follow';
      f.className = 'cpl-follow-link';
      f.textContent = box.getAttribute('data-follow') || '';
      li.appendChild(document.createElement('br'));
      li.appendChild(f);
      list.appendChild(li);
    }
    box.hidden = items.length === 0;
  }
  function ask() {
    var cat = val('category'), kel = val('kelurahan'), lat = val('lat'), lon = val('long');
    var text = (val('title') + ' ' + val('description')).trim().slice(0, 1200);
    // coordinates being typed, or outside Indonesia, are not asked about (the server would refuse them)
    var la = parseFloat(lat.replace(',', '.')), lo = parseFloat(lon.replace(',', '.'));
    if (lat || lon) {
      if (!(la >= -11.5 && la <= 6.5 && lo >= 94 && lo <= 141.5)) { lat = lon = ''; }
      else { lat = String(la); lon = String(lo); }
    }
    if (!cat || !(kel || (lat && lon)) || text.length < 8) { show([]); return; }
    var q = 'category=' + encodeURIComponent(cat) + '&text=' + encodeURIComponent(text);
    if (lat && lon) q += '&lat=' + encodeURIComponent(lat) + '&long=' + encodeURIComponent(lon);
    else q += '&kelurahan=' + encodeURIComponent(kel);
    if (q === last) return;
    last = q;
    var mine = ++seq;
    fetch(box.getAttribute('data-url') + '?' + q, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : { items: [] }; })
      .then(function (j) { if (mine === seq) show(j.items || []); })
      .catch(function () {});
  }
  function later() { clearTimeout(timer); timer = setTimeout(ask, 600); }
  for (var i = 0; i < ids.length; i++) {
    var e = document.getElementById(ids[i]);
    if (e) { e.addEventListener('input', later); e.addEventListener('change', later); }
  }
  later();
})();
