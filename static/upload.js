/* upload.js: photos made smaller on the phone before they are sent. Optional:
   every form works without it. For each file input with data-shrink="N", an
   image larger than N px on its long side or than 1 MB becomes a JPEG of at
   most N px (quality data-quality, default 0.8), turned upright as the camera
   held it: a few hundred KB instead of several MB on a slow line, and a photo
   over the server's 5 MB limit still gets through. PDFs and small images go
   as they are. The form says what it did under the input (its data-shrunk
   text, in the page's language) in a status region, put there as soon as a
   photo is chosen so that a screen reader announces the text when it comes,
   and its submit buttons wait while a photo is being made smaller. If
   anything fails, the original file is sent. */
(function () {
  if (!window.createImageBitmap || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) return;
  var MAX_BYTES = 1024 * 1024;

  function size(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.round(n / 1024) + ' KB'; }
  function note(input, text) {
    var id = input.id + '-note', p = document.getElementById(id);
    if (!p) {
      p = document.createElement('p');
      p.id = id;
      p.className = 'upload-note';
      p.setAttribute('role', 'status');
      input.insertAdjacentElement('afterend', p);
    }
    p.textContent = text;
  }
  function hold(form, d) {
    form.uploadBusy = (form.uploadBusy || 0) + d;
    Array.prototype.forEach.call(form.querySelectorAll('button[type="submit"]'), function (b) {
      b.disabled = form.uploadBusy > 0;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('input[type="file"][data-shrink]'), function (input) {
    var form = input.form, side = parseInt(input.getAttribute('data-shrink'), 10) || 1600;
    var quality = parseFloat(input.getAttribute('data-quality')) || 0.8;
    if (!form) return;
    input.addEventListener('change', function () {
      var f = input.files && input.files[0];
      if (!f || !/^image\//.test(f.type)) return;
      note(input, '');
      hold(form, 1);
      var done = function () { hold(form, -1); };
      createImageBitmap(f, { imageOrientation: 'from-image' }).then(function (bmp) {
        var w = bmp.width, h = bmp.height, s = Math.min(1, side / Math.max(w, h));
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
            note(input, (form.getAttribute('data-shrunk') || '') + ' ' + size(f.size) + ' → ' + size(blob.size));
          }
          done();
        }, 'image/jpeg', quality);
      }).catch(done);
    });
  });
})();
