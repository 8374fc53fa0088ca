// A "camera photo" for the upload journeys, made in the page itself: a PNG of w x h pixels
// (colour gradients under noise, so it compresses badly, as photos do). Returns its bytes.
export async function bigPhoto(page, w, h) {
  const b64 = await page.evaluate(async ([w, h]) => {
    const c = document.createElement('canvas');
    c.width = w; c.height = h;
    const g = c.getContext('2d');
    const im = g.createImageData(w, h);
    for (let i = 0; i < im.data.length; i += 4) {
      const x = (i / 4) % w, y = Math.floor(i / 4 / w);
      im.data[i] = (x * 255) / w; im.data[i + 1] = Math.random() * 255;
      im.data[i + 2] = (y * 255) / h; im.data[i + 3] = 255;
    }
    g.putImageData(im, 0, 0);
    const blob = await new Promise((r) => c.toBlob(r, 'image/png'));
    const buf = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
    return btoa(s);
  }, [w, h]);
  return Buffer.from(b64, 'base64');
}

// The natural size of the image at url, as the page decodes it.
export async function imageSize(page, url) {
  return page.evaluate(async (u) => {
    const i = new Image();
    i.src = u;
    await i.decode();
    return [i.naturalWidth, i.naturalHeight];
  }, url);
}
