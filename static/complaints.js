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
