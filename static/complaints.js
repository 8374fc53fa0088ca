/* complaints.js: the one optional script of the intake form. The form works
   without it; with it:
   - a "use my location" button, when the browser can locate the phone, fills
     the latitude and longitude fields;
   - a photo larger than 1600 px on its long side or than 1 MB is made smaller
     on the phone before it is sent (JPEG, quality 0.8, turned upright as the
     camera held it): a few hundred KB instead of several MB on a slow line,
     and a photo over the server's 5 MB limit still gets through. The submit
     button waits while a photo is being made smaller. If anything fails, the
     original photo is sent as it is. */
(function () {
  var b = document.getElementById('cpl-locate');
  if (b && navigator.geolocation) {
    b.hidden = false;
    b.addEventListener('click', function () {
      b.disabled = true;
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById('lat').value = p.coords.latitude.toFixed(6);
        document.getElementById('long').value = p.coords.longitude.toFixed(6);
        b.disabled = false;
      }, function () { b.disabled = false; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  var MAX_SIDE = 1600, MAX_BYTES = 1024 * 1024;
  var form = document.querySelector('form[enctype="multipart/form-data"]');
  var submit = form && form.querySelector('button[type="submit"]');
  var busy = 0;
  if (!form || !window.createImageBitmap || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) return;

  function kb(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.round(n / 1024) + ' KB'; }
  function note(input, text) {
    var id = input.id + '-note', p = document.getElementById(id);
    if (!p) {
      p = document.createElement('p');
      p.id = id;
      p.className = 'cpl-photo-note';
      input.insertAdjacentElement('afterend', p);
    }
    p.textContent = text;
  }
  function done() {
    busy--;
    if (submit && busy === 0) submit.disabled = false;
  }

  Array.prototype.forEach.call(form.querySelectorAll('input[type="file"][name="photo"]'), function (input) {
    input.addEventListener('change', function () {
      var f = input.files && input.files[0];
      if (!f || !/^image\//.test(f.type)) return;
      busy++;
      if (submit) submit.disabled = true;
      createImageBitmap(f, { imageOrientation: 'from-image' }).then(function (bmp) {
        var w = bmp.width, h = bmp.height, s = Math.min(1, MAX_SIDE / Math.max(w, h));
        if (s === 1 && f.size <= MAX_BYTES) { bmp.close(); done(); return; }
        var c = document.createElement('canvas');
        c.width = Math.round(w * s);
        c.height = Math.round(h * s);
        c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
        bmp.close();
        c.toBlob(function (blob) {
          if (blob && blob.size < f.size) {
            var dt = new DataTransfer();
            dt.items.add(new File([blob], f.name.replace(/\.[^.]*$/, '') + '.jpg', { type: 'image/jpeg' }));
            input.files = dt.files;
            note(input, (form.getAttribute('data-shrunk') || '') + ' ' + kb(f.size) + ' → ' + kb(blob.size));
          }
          done();
        }, 'image/jpeg', 0.8);
      }).catch(done);
    });
  });
})();
