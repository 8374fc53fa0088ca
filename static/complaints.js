/* complaints.js: the intake form's "use my location" button. Optional: the
   form works without it. When the browser can locate the phone, the button
   shows and fills the latitude and longitude fields. (Photos are made smaller
   before they are sent by upload.js.) */
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
