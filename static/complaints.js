/* complaints.js: the one optional script of the intake form. It shows a
   "use my location" button when the browser can locate the phone, and fills
   the latitude and longitude fields. The form works without it. */
(function () {
  var b = document.getElementById('cpl-locate');
  if (!b || !navigator.geolocation) return;
  b.hidden = false;
  b.addEventListener('click', function () {
    b.disabled = true;
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById('lat').value = p.coords.latitude.toFixed(6);
      document.getElementById('long').value = p.coords.longitude.toFixed(6);
      b.disabled = false;
    }, function () { b.disabled = false; }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
