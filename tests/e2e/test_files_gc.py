"""
test_files_gc.py: the file store's clean-up. A file no row refers to (left by a refused or
rolled-back filing: often a citizen's KTP or KK scan) was kept forever. `sigap sweep` (and the
server's periodic job, a slice at a time) removes such files, and temp files of interrupted writes,
once they were last stored more than a day ago; files referred to by a complaint's photos, an
application's documents or a proposal's attachments stay however old, and storing a file again
makes it fresh again.
"""
import hashlib
import os
import shutil
import tempfile
import time

from harness import TENANT, check_sigap, unique
from test_complaints import fixture, multipart
from test_services import PDF, file_app, new_service

DAY = 86400


def blob(data_dir, content, suffix=""):
    h = hashlib.sha256(content).hexdigest()
    os.makedirs(os.path.join(data_dir, h[:2]), exist_ok=True)
    path = os.path.join(data_dir, h[:2], h + suffix)
    with open(path, "wb") as f:
        f.write(content)
    return h, path


def path_of(data_dir, h):
    return os.path.join(data_dir, h[:2], h)


def age(path, days=2):
    t = time.time() - days * DAY
    os.utime(path, (t, t))


def file_with_photo(srv, key):
    """Files a complaint of TENANT through Open311 (key: a warga API key) with a photo that has
    EXIF data (the server stores it stripped, as photo_clean.jpg); returns its id."""
    body, ctype = multipart([("jurisdiction_id", TENANT), ("api_key", key), ("service_code", "sampah"),
                             ("lat", "-8.5921"), ("long", "116.0893"),
                             ("description", "Sampah menumpuk di TPS pasar tidak diangkut tiga hari")],
                            [("media", "p.jpg", "image/jpeg", fixture("photo_exif.jpg"))])
    r = srv.client().request("POST", "/open311/v2/requests.json", body=body, headers={"Content-Type": ctype})
    assert r.status == 200, r.text
    return int(r.json()[0]["service_request_id"])


def file_with_document(env, srv):
    """The demo warga files an application of TENANT, with a KK scan of its own, for a new
    service that TENANT's admin makes; returns its id and the scan's hash."""
    admin = srv.client()
    admin.login(TENANT, "admin")
    code, _, _ = new_service(env, None, "Verifikasi berkas | petugas\n", admin=admin)
    w = srv.client()
    w.login(TENANT, "warga")
    doc = PDF + b"% " + unique("kk").encode() + b"\n"
    _, _, app_id = file_app(env, code, warga=w, kk=doc)
    return app_id, hashlib.sha256(doc).hexdigest()


def test_unreferenced_files_removed_referenced_kept(env):
    data = tempfile.mkdtemp(prefix="sigap-files-")
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--data-dir", data, "--sweep-interval", "0"])
        key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("gc"), "--role", "warga"],
                          db=db).stdout.split()[0]
        # the photo the server will store (its EXIF stripped) is already there, old and unreferenced:
        # filing it stores it again, which makes it fresh
        photo, photo_path = blob(data, fixture("photo_clean.jpg"))
        age(photo_path, 3)
        cid = file_with_photo(srv, key)
        assert db.sql("SELECT hash FROM complaints_photos WHERE complaint_id = %d" % cid)[0][0] == photo
        assert os.stat(photo_path).st_mtime > time.time() - 600, "storing a file again does not refresh it"

        # an application's document, through the API
        app_id, doc_hash = file_with_document(env, srv)
        assert os.path.exists(path_of(data, doc_hash))

        # what nothing refers to: a KTP scan left by a refused filing, two days old; one left an
        # hour ago; an interrupted write's temp file; a file a crashed clean-up had moved aside
        orphan, orphan_path = blob(data, b"%PDF-1.4 scan KTP yang ditolak " + unique("o").encode())
        recent, recent_path = blob(data, b"%PDF-1.4 scan baru " + unique("n").encode())
        _, tmp_path = blob(data, b"setengah tertulis " + unique("t").encode(), ".tmp4242")
        _, aside_path = blob(data, b"disisihkan " + unique("g").encode(), ".gc")
        # and the referenced ones, just as old
        for p in (orphan_path, tmp_path, aside_path, photo_path, path_of(data, doc_hash)):
            age(p)
        age(recent_path, 1 / 24)
        # a referenced file a crashed clean-up had moved aside goes back
        os.rename(path_of(data, doc_hash), path_of(data, doc_hash) + ".gc")

        out = check_sigap(["sweep", "--data-dir", data], db=db).stdout
        assert "files.gc: 3 file(s) removed" in out, out
        assert not os.path.exists(orphan_path) and not os.path.exists(tmp_path) and not os.path.exists(aside_path)
        assert os.path.exists(recent_path), "a file stored an hour ago went"
        assert os.path.exists(photo_path), "a complaint's photo went"
        assert os.path.exists(path_of(data, doc_hash)) and not os.path.exists(path_of(data, doc_hash) + ".gc")
        # and they are still served
        k = srv.client()
        k.login(TENANT, "koordinator")  # not yet looked at by the coordinator: the officials' only
        k.get("/t/%s/pengaduan/%d/foto/0" % (TENANT, cid)).expect(200, ctype="image/jpeg")
        o = srv.client()
        o.login(TENANT, "petugas")
        page = o.get("/t/%s/permohonan/%d" % (TENANT, app_id)).expect(200)
        assert "kk.pdf" in page.text
        # a second run finds nothing more
        assert "files.gc: 0 file(s) removed" in check_sigap(["sweep", "--data-dir", data], db=db).stdout
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_nothing_removed_when_the_database_cannot_be_asked(env):
    """A file is removed only after the database said nothing refers to it: with the database
    gone, the sweep fails and every file stays."""
    data = tempfile.mkdtemp(prefix="sigap-files-")
    try:
        _, path = blob(data, b"%PDF-1.4 tidak dirujuk " + unique("x").encode())
        age(path)
        db = env.new_db()
        db.sql("DROP TABLE governance_attachments")
        p = env.sigap(["sweep", "--data-dir", data], db=db)
        assert p.returncode != 0 and "files.gc failed" in p.stderr, (p.returncode, p.stdout, p.stderr)
        assert os.path.exists(path)
    finally:
        shutil.rmtree(data, ignore_errors=True)
