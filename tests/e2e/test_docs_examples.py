"""
test_docs_examples.py: the examples the documents show, run as written
against the real binary, so that a reader who copies one gets what the page
says: README's settings precedence (file < environment < flags) and health
answers, docs/calendar.md's worked example through the calendar API, the
Open311 examples of docs/complaints.md (the Idempotency-Key's too), the filing and acting examples of
docs/services.md, the governance API example of docs/governance.md and the
open data CSV header of docs/performance.md. The writing examples run on a
database and server of their own, so the shared demo data stays as it was.
"""
import base64
import os
import re

from harness import DEMO_PASSWORD, TENANT, check_sigap, run_sigap, unique


def test_settings_precedence_file_env_flags(env):
    # README "Settings": a file (SIGAP_CONFIG), then SIGAP_* variables, then flags; later wins.
    # `check` names the database it was asked to open, which shows the setting in force.
    conf = os.path.join(env.tmp, unique("docs") + ".conf")
    with open(conf, "w") as f:
        f.write("db = /nonexistent/from-file.db\n")
    p = run_sigap(["check"], env={"SIGAP_CONFIG": conf})
    assert p.returncode == 1 and "/nonexistent/from-file.db" in p.stderr, p.stderr
    p = run_sigap(["check"], env={"SIGAP_CONFIG": conf, "SIGAP_DB": "/nonexistent/from-env.db"})
    assert p.returncode == 1 and "/nonexistent/from-env.db" in p.stderr, p.stderr
    p = run_sigap(["check", "--db", "/nonexistent/from-flag.db"],
                  env={"SIGAP_CONFIG": conf, "SIGAP_DB": "/nonexistent/from-env.db"})
    assert p.returncode == 1 and "/nonexistent/from-flag.db" in p.stderr, p.stderr
    # the same with the file named by --config, wherever it stands among the flags
    p = run_sigap(["check", "--config", conf])
    assert p.returncode == 1 and "/nonexistent/from-file.db" in p.stderr, p.stderr
    p = run_sigap(["check", "--config", conf], env={"SIGAP_DB": "/nonexistent/from-env.db"})
    assert p.returncode == 1 and "/nonexistent/from-env.db" in p.stderr, p.stderr
    p = run_sigap(["check", "--db", "/nonexistent/from-flag.db", "--config=" + conf],
                  env={"SIGAP_DB": "/nonexistent/from-env.db"})
    assert p.returncode == 1 and "/nonexistent/from-flag.db" in p.stderr, p.stderr
    # "Exit status: 0 success, 1 failure, 2 usage error"
    assert run_sigap(["no-such-command"]).returncode == 2


def test_health_and_calendar_examples(env):
    c = env.client()
    r = c.get("/healthz").expect(200, ctype="application/json")
    assert r.json() == {"status": "ok"}, r.text
    c.get("/readyz").expect(200)
    # docs/calendar.md: filed on Thursday 27 March 2025 with 1 working day, due Tuesday 8 April 2025
    j = c.get("/api/v1/t/%s/calendar/add?from=2025-03-27&days=1" % TENANT).expect(200).json()
    assert j["due"] == "2025-04-08", j
    j = c.get("/api/v1/t/%s/calendar/between?from=2025-03-27&to=2025-04-08" % TENANT).expect(200).json()
    assert j["working_days"] == 1, j


def test_open_data_csv_header(env):
    # docs/performance.md, "Open data": the first line of the example
    r = env.client().get("/api/v1/t/%s/data-terbuka/kinerja-opd-bulanan.csv" % TENANT).expect(200)
    first = r.text.lstrip("\ufeff").splitlines()[0]
    assert first == ("bulan,kode_opd,nama_opd,jenis,diterima,selesai,selesai_tepat_waktu,"
                     "persen_tepat_waktu,median_hari_kerja,p90_hari_kerja"), first


def test_write_examples(env):
    db = env.new_db()
    srv = env.start_server(db)

    # docs/complaints.md "Examples": KEY=$(sigap apikey create ... --role warga), then the POST
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "aplikasi-warga", "--role", "warga"],
                      db=db).stdout.strip()
    c = srv.client()
    r = c.post_form("/open311/v2/requests.json", {
        "jurisdiction_id": TENANT, "api_key": key, "service_code": "sampah", "lat": "-8.5921",
        "long": "116.0893", "description": "Sampah di TPS pasar Kekalik tiga hari tidak diangkut"}).expect(200)
    j = r.json()
    assert isinstance(j, list) and len(j) == 1 and set(j[0]) == {"service_request_id", "service_notice",
                                                                "account_id"}, j
    assert j[0]["account_id"] is None and j[0]["service_request_id"].isdigit(), j
    rid = j[0]["service_request_id"]
    assert re.fullmatch(r"Nomor pelacakan 52\.71/ADU/\d{4}/\d{6}; jawaban diharapkan paling lambat "
                        r"\d{4}-\d\d-\d\dT23:59:59\+08:00; kode pelapor untuk membalas dan menilai "
                        r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4} \(/t/52\.71/pengaduan/%s\)" % rid,
                        j[0]["service_notice"]), j
    c.get("/open311/v2/requests/%s.json?jurisdiction_id=%s" % (rid, TENANT)).expect(200, contains=rid)
    c.get("/open311/v2/requests.xml?jurisdiction_id=%s&status=open&service_code=jalan,pju" % TENANT).expect(
        200, contains="<service_requests>")
    c.get("/open311/v2/servicerequestupdates.json?jurisdiction_id=%s&start_date=2026-06-01T00:00:00%%2B08:00"
          % TENANT).expect(200, ctype="application/json")
    # the error shapes shown
    r = c.post_form("/open311/v2/requests.json", {"jurisdiction_id": TENANT, "api_key": key, "lat": "-8.5921",
                                                  "long": "116.0893", "description": "x"}).expect(400)
    assert r.json() == [{"code": 400, "description": "service_code wajib diisi"}], r.text
    r = c.post_form("/open311/v2/requests.xml", {"jurisdiction_id": TENANT, "api_key": "sgp_wrong",
                                                 "service_code": "jalan", "lat": "-8.5921", "long": "116.0893",
                                                 "description": "x"}).expect(403)
    assert "<errors><error><code>403</code><description>api_key tidak valid</description></error></errors>" \
        in r.text, r.text
    # the Idempotency-Key example: sent twice (a retry after a timeout), filed once, the same answer
    f = {"jurisdiction_id": TENANT, "api_key": key, "service_code": "sampah", "address_string": "Pasar Kekalik",
         "description": "Sampah belum diangkut"}
    h = {"Idempotency-Key": '"a1f3c2d4-0b1e-4c7a-9d2f-7e6b5a4c3d21"'}
    first = c.post_form("/open311/v2/requests.json", f, headers=h).expect(200).json()
    assert c.post_form("/open311/v2/requests.json", f, headers=h).expect(200).json() == first
    r = c.post_form("/open311/v2/requests.json", dict(f, description="Sampah lain"), headers=h).expect(422)
    assert r.json() == [{"code": 422, "description": "Idempotency-Key ini sudah dipakai untuk permintaan lain "
                         "yang isinya berbeda; laporan baru memerlukan kunci baru"}], r.text

    # docs/services.md "JSON API": filing with files as base64, then returning it
    w = srv.client()
    w.login(TENANT, "warga", DEMO_PASSWORD)
    csrf = w.session_csrf(TENANT)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    jpeg = base64.b64decode(  # a 1x1 JPEG
        "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP////////////////////////////////////////////////////////////"
        "//////////////////////////////////////////////wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAA//EAB"
        "QQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AN//Z")
    r = w.post_json("/api/v1/t/%s/applications" % TENANT, {
        "service": "akta-kelahiran",
        "values": {"nik_pemohon": "5271014101900001", "nama_bayi": "Lalu Ahmad", "tanggal_lahir": "2026-01-05",
                   "tempat_lahir": "Mataram", "jenis_kelamin": "Laki-laki"},
        "files": {"surat_lahir": {"filename": "skl.pdf", "content_base64": base64.b64encode(pdf).decode()},
                  "kk": {"filename": "kk.jpg", "content_base64": base64.b64encode(jpeg).decode()}}},
        headers={"X-CSRF-Token": csrf}).expect(201)
    app = r.json()
    assert set(app) >= {"id", "number", "due", "state", "verify_url"} and app["state"] == "proses", app
    assert re.fullmatch(r"52\.71/PMH/\d{4}/\d{6}", app["number"]), app
    p = srv.client()
    p.login(TENANT, "petugas", DEMO_PASSWORD)
    pc = p.session_csrf(TENANT)
    v = p.get("/api/v1/t/%s/applications/%d" % (TENANT, app["id"])).expect(200).json()["version"]
    r = p.post_json("/api/v1/t/%s/applications/%d/actions" % (TENANT, app["id"]),
                    {"op": "return", "text": "Scan kartu keluarga buram", "version": v},
                    headers={"X-CSRF-Token": pc}).expect(200)
    assert r.json()["state"] == "dikembalikan" and r.json()["sla"]["flag"] == "paused", r.text
    # "Every op but note must carry it: without it the answer is 400"
    p.post_json("/api/v1/t/%s/applications/%d/actions" % (TENANT, app["id"]), {"op": "advance"},
                headers={"X-CSRF-Token": pc}).expect_json_error(400, code="invalid")

    # docs/governance.md "JSON API": create as the kepala OPD, then submit (signed)
    k = srv.client()
    k.login(TENANT, "kepala_opd", DEMO_PASSWORD)
    kc = k.session_csrf(TENANT)
    r = k.post_json("/api/v1/t/%s/usulan" % TENANT, {
        "kind": "telaahan", "title": "Jam layanan sore", "background": "Antrean panjang", "urgency": "segera",
        "is_public": True}, headers={"X-CSRF-Token": kc}).expect(201)
    g = r.json()
    assert g["state"] == "draf" and g["version"] == 1, g
    r = k.post_json("/api/v1/t/%s/usulan/%d/tindakan" % (TENANT, g["id"]),
                    {"action": "ajukan", "passphrase": DEMO_PASSWORD, "version": 1},
                    headers={"X-CSRF-Token": kc}).expect(200)
    assert r.json() == {"id": g["id"], "state": "diajukan", "version": 2}, r.text
    srv.stop()
