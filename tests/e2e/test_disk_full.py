"""
test_disk_full.py: the disk fills up while sigap serves (a small Pemda's one
server, its disk filled by something else). SQLite database and uploaded files
on a small tmpfs; a filler file takes the last byte. Then:

- complaints (with a photo, and without) are either acknowledged (200, and
  then in the database afterwards) or refused with 503 and Retry-After and the
  spec's error body: never a 500, never a crash;
- reading keeps working;
- once space is freed, filing works again without a restart;
- afterwards `sigap check` passes (integrity and the audit chain) and every
  acknowledged complaint is there with its photo.

Needs root and the right to mount (a container may lack it); elsewhere it
says so and does nothing. CI runs as root.
"""
import base64
import os
import shutil
import struct
import subprocess
import time
import zlib

from harness import TENANT, Database, backends, check_sigap, wait_for, unique
from test_complaints import multipart
from test_services import PDF, api, new_service

SIZE_MB = 48


def fill(path):
    """Writes zeros to path until the file system is full; returns the bytes written."""
    n = 0
    block = b"\0" * (1 << 20)
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                n += f.write(block)
            except OSError:
                break
        # the last small pieces too: the database's pages are 4 KiB
        while True:
            try:
                n += f.write(b"\0" * 512)
            except OSError:
                break
    return n


def png(i):
    """A small PNG whose pixels depend on i: each photo is new content for the file store
    (the same bytes would only be touched, not written)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    w = h = 16
    raw = b"".join(b"\0" + b"".join(bytes(((x * 7 + i) % 256, (y * 13 + (i >> 8)) % 256, (x ^ y ^ i) % 256))
                                   for x in range(w)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def file_complaint(c, key, i, photo=False):
    fields = [("jurisdiction_id", TENANT), ("api_key", key), ("service_code", "sampah"),
              ("lat", "-8.5921"), ("long", "116.0893"),
              ("description", "Sampah menumpuk di TPS nomor %d, tidak diangkut tiga hari" % i)]
    if photo:
        body, ctype = multipart(fields, [("media", "foto%d.png" % i, "image/png", png(i))])
        return c.request("POST", "/open311/v2/requests.json", body=body, headers={"Content-Type": ctype})
    return c.post_form("/open311/v2/requests.json", dict(fields))


def apply(warga, csrf, code, i):
    """The demo warga applies for code through the API with a KK scan of new content."""
    kk = PDF + b"%% salinan %d\n" % i
    return api(warga, "POST", "/api/v1/t/%s/applications" % TENANT,
               {"service": code, "values": {"nama": "Baiq Nurul Aini", "nik_pemohon": "5271014101900001",
                                            "keperluan": "Baru"},
                "files": {"kk": {"filename": "kk.pdf", "content_base64": base64.b64encode(kk).decode()}}}, csrf)


def answered(r, acked, refused):
    """Records one answer: acknowledged (its id) or refused as the spec says; anything else fails."""
    if r.status == 200:
        acked.append(int(r.json()[0]["service_request_id"]))
        return
    assert r.status == 503, (r.describe(), r.text[:400])
    assert r.header("retry-after"), r.headers
    j = r.json()
    assert j[0]["code"] == 503 and j[0]["description"], j
    refused.append(j[0]["description"])


@backends("sqlite")
def test_a_full_disk_refuses_with_503_and_loses_nothing(env):
    if os.geteuid() != 0:
        print("test_disk_full: needs root to mount a small tmpfs; not run")
        return
    mnt = os.path.join(env.tmp, unique("full"))
    os.makedirs(mnt)
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % SIZE_MB, "tmpfs", mnt], capture_output=True,
                       text=True)
    if m.returncode != 0:
        # a container without the right to mount: say so, as without root
        print("test_disk_full: cannot mount a tmpfs here (%s); not run" % m.stderr.strip())
        return
    srv = None
    try:
        path = os.path.join(mnt, "sigap.db")
        shutil.copyfile(env.new_db().path, path)
        db = Database("sqlite", path, path=path)
        files = os.path.join(mnt, "files")
        key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "penuh"], db=db).stdout.strip()
        srv = env.start_server(db, args=["--data-dir", files, "--sweep-interval", "1",
                                         "--complaint-limit-address", "0", "--complaint-limit-apikey", "0"])
        c = srv.client()
        admin = srv.client()
        admin.login(TENANT, "admin")
        code, _a, _csrf = new_service(env, admin=admin)
        warga = srv.client()
        warga.login(TENANT, "warga")
        wcsrf = warga.session_csrf(TENANT)
        acked, refused = [], []
        for i in range(5):
            answered(file_complaint(c, key, i, photo=i % 2 == 0), acked, refused)
        assert len(acked) == 5 and not refused, refused

        filler = os.path.join(mnt, "filler")
        assert fill(filler) > 0
        # keep filing until the disk says no to both kinds (the WAL may still have room for a few)
        i = 5
        plain_refused = photo_refused = 0
        deadline = time.time() + 90
        while not (plain_refused >= 3 and photo_refused >= 3) and time.time() < deadline:
            before = len(refused)
            answered(file_complaint(c, key, i, photo=i % 2 == 0), acked, refused)
            if len(refused) > before:
                if i % 2 == 0:
                    photo_refused += 1
                else:
                    plain_refused += 1
            i += 1
        assert plain_refused >= 3 and photo_refused >= 3, (
            "the full disk did not refuse both kinds: %d acknowledged, %d without a photo and %d with one refused"
            % (len(acked), plain_refused, photo_refused))
        assert srv.alive
        # an application's upload (a KK scan, new content) is refused the same way
        r = apply(warga, wcsrf, code, 1)
        assert r.status == 503 and r.header("retry-after"), (r.describe(), r.text[:300])
        assert "coba lagi" in r.json()["error"]["message"], r.text[:300]
        # reading works while the disk is full
        c.get("/open311/v2/requests/%d.json?jurisdiction_id=%s" % (acked[0], TENANT)).expect(200)
        c.get("/t/%s/pengaduan" % TENANT).expect(200)
        c.get("/healthz").expect(200)

        # space comes back: filing works again, without a restart
        os.unlink(filler)
        after = []
        assert wait_for(lambda: file_complaint(c, key, 1000).status == 200, secs=30)
        for j in range(3):
            answered(file_complaint(c, key, 1001 + j, photo=True), after, refused)
        assert len(after) == 3, refused[-3:]
        r = apply(warga, wcsrf, code, 2)
        assert r.status == 201, r.text[:300]
        app_id = r.json()["id"]
        acked += after
        assert srv.alive
        log = srv.log_text()
        # the operator reads why, once, not a line per refused request
        assert "POST /open311/v2/requests.json: unavailable (database or disk is full)" in log, log[-3000:]
        assert "file store: cannot write" in log and "No space left on device" in log, log[-3000:]
        assert log.count("file store: cannot") == 1, log[-3000:]
        assert " 500 " not in log and "crash" not in log.lower(), log[-2000:]
        srv.stop()
        srv = None
        # nothing acknowledged is missing; the database and its chain are whole
        ids = {int(r[0]) for r in db.sql("SELECT id FROM complaints")}
        assert set(acked) <= ids, sorted(set(acked) - ids)
        photos = db.sql("SELECT complaint_id, hash FROM complaints_photos")
        for cid, h in photos:
            assert os.path.exists(os.path.join(files, h[:2], h)), (cid, h)
        # the first five (three with a photo) and the three after: every one filed with its photo
        with_photo = {int(cid) for cid, _h in photos}
        assert {acked[0], acked[2], acked[4]} | set(after) <= with_photo, (with_photo, acked)
        assert db.sql("SELECT COUNT(*) FROM services_apps WHERE id = %d" % app_id)[0][0] == 1
        out = check_sigap(["check"], db=db).stdout
        assert "audit chain" in out.lower() or "ok" in out.lower(), out
    finally:
        if srv is not None:
            srv.kill()
        subprocess.run(["umount", "-l", mnt])
