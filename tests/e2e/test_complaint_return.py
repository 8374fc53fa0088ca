"""
test_complaint_return.py: three things a walkthrough of the complaint flow found.

- An OPD that receives a complaint that is not its business (a road complaint dispositioned to
  DISDUKCAPIL) hands it back to the coordinator ("Kembalikan ke koordinator", aksi=kembalikan)
  with a reason: the officials see the reason, the public and the reporter only that it went
  back; refused for other OPDs and roles (403), without a reason (400), on a stale form (409)
  and once answered (409); Open311 shows it open again.
- Until the disposition the expected answer is an estimate, and the page says so: the OPD's
  deadline counts from the disposition, so a verification before the verification deadline
  brings the date forward.
- A signed-in citizen filing under their account is not given a reporter code (nor its cookie):
  the account replies, rates and reopens; filing anonymously, they are, and told why.
"""
import re
import urllib.parse
import uuid

from harness import TENANT
from test_admin import new_user
from test_complaints import file_o311, login, multipart, set_auto_route, status_of, version_of

T = "/t/" + TENANT


def page_path(cid):
    return "%s/pengaduan/%s" % (T, cid)


def act(c, cid, page, aksi, headers=None, **fields):
    f = {"_csrf": page.csrf(), "aksi": aksi}
    f.update(fields)
    if "version" not in f:  # a page without forms (not theirs to act on) takes the version given
        f["version"] = version_of(page)
    return c.post_form(page_path(cid) + "/aksi", f, headers=headers)


def row(env, cid, cols):
    return tuple(str(x) for x in env.shared_db.sql("SELECT %s FROM complaints WHERE id = %s" % (cols, cid))[0])


def count(env, sql):
    return int(env.shared_db.sql(sql)[0][0])


def test_opd_returns_complaint_to_coordinator(env):
    set_auto_route(env, False)
    try:
        reason = "Jalan berlubang bukan urusan Dukcapil; kewenangan DPUPR (catatan internal: hubungi Pak Made)"
        cid = file_o311(env, "Jalan berlubang besar di depan kantor camat, motor sering jatuh")
        assert status_of(env, cid) == "baru"
        k = login(env, "koordinator")
        # the page says the date is an estimate until the disposition
        page = k.get(page_path(cid)).expect(200, contains="Perkiraan jawaban paling lambat")
        assert 'id="cpl-return"' not in page.text
        # the coordinator sends the road to the wrong OPD
        act(k, cid, page, "verifikasi", category="jalan", unit="DISDUKCAPIL").expect(303)
        assert row(env, cid, "status, unit") == ("disposisi", "DISDUKCAPIL")
        page = k.get(page_path(cid)).expect(200, contains="Jawaban diharapkan paling lambat")
        assert "Perkiraan jawaban" not in page.text
        # the coordinator has no such form: it would route it again itself
        assert 'id="cpl-return"' not in page.text

        p = login(env, "petugas")  # DISDUKCAPIL
        page = p.get(page_path(cid)).expect(200, contains="Kembalikan ke koordinator")
        assert 'id="cpl-return"' in page.text and 'name="aksi" value="kembalikan"' in page.text
        # without a reason: 400, nothing changed, in the user's language too
        act(p, cid, page, "kembalikan", text="  ").expect(400, contains="alasan pengembalian wajib diisi")
        act(p, cid, page, "kembalikan", headers={"Accept-Language": "en"}, text="").expect(
            400, contains="a reason for handing it back is required")
        assert status_of(env, cid) == "disposisi"
        # a stale form: 409, the reason typed kept in the form
        stale = {"_csrf": page.csrf(), "aksi": "kembalikan", "version": str(int(version_of(page)) - 1),
                 "text": "ketik ulang tidak perlu"}
        r = p.post_form(page_path(cid) + "/aksi", stale).expect(409, contains="data telah diubah orang lain")
        assert re.search(r'<textarea id="k-text"[^>]*>ketik ulang tidak perlu</textarea>', r.text), r.text[-2500:]
        assert status_of(env, cid) == "disposisi"
        # another OPD's officer, a citizen and the coordinator: 403
        dlh = env.client()
        dlh.login(TENANT, new_user(env, role="petugas", unit="DLH"), password="rahasia-panjang-1")
        other = dlh.get(page_path(cid)).expect(200)
        assert 'id="cpl-return"' not in other.text
        act(dlh, cid, other, "kembalikan", text=reason, version=version_of(page)).expect(
            403, contains="hanya OPD yang menangani pengaduan ini")
        w = login(env, "warga")
        act(w, cid, w.get(page_path(cid)).expect(200), "kembalikan", text=reason,
            version=version_of(page)).expect(403)
        act(k, cid, k.get(page_path(cid)).expect(200), "kembalikan", text=reason).expect(403)
        assert status_of(env, cid) == "disposisi"

        # the admin OPD of DISDUKCAPIL hands it back
        a = login(env, "admin_opd")
        page = a.get(page_path(cid)).expect(200, contains="Bukan urusan OPD Anda?")
        r = act(a, cid, page, "kembalikan", text=reason).expect(303)
        assert r.header("location") == page_path(cid) + "?dikembalikan=1", r.header("location")
        a.get(r.header("location")).expect(200, contains="Pengaduan dikembalikan ke koordinator")
        assert row(env, cid, "status, unit, answer_due, escalation") == ("baru", "", "0", "0")
        vdue, expected, updated = (int(x) for x in row(env, cid, "verify_due, expected_at, updated_at"))
        assert updated < vdue < expected, (updated, vdue, expected)
        # no longer DISDUKCAPIL's: no second return, no answer
        page = p.get(page_path(cid)).expect(200)
        assert 'id="cpl-return"' not in page.text and 'id="cpl-answer-form"' not in page.text
        act(p, cid, page, "kembalikan", text="lagi", version=row(env, cid, "version")[0]).expect(403)

        # the coordinator: notified, and the reason on the page above the verification's forms
        assert count(env, "SELECT COUNT(*) FROM notifications WHERE tenant = '52.71' AND role = 'koordinator' "
                          "AND kind = 'complaint.returned' AND object = 'complaint:%s'" % cid) == 1
        page = k.get(page_path(cid)).expect(200, contains="Verifikasi koordinator")
        m = re.search(r'<div class="alert" id="cpl-returned">(.*?)</div>', page.text, re.S)
        assert m and "Dikembalikan oleh OPD" in m.group(1) and "admin_opd" in m.group(1), page.text[:4000]
        assert "kewenangan DPUPR" in m.group(1)
        assert "Batas verifikasi" in page.text and "Perkiraan jawaban paling lambat" in page.text
        # audited (the webhook allowlist has it too: tests/unit)
        assert count(env, "SELECT COUNT(*) FROM audit_log WHERE tenant = '52.71' AND action = 'complaints.kembalikan' "
                          "AND object = 'complaint:%s' AND actor = 'admin_opd'" % cid) == 1

        # the public: that it went back, by which OPD, not why
        pub = env.client().get(page_path(cid)).expect(200, contains="Dikembalikan ke koordinator untuk didisposisikan ulang")
        assert "kewenangan DPUPR" not in pub.text and "Pak Made" not in pub.text and "admin_opd" not in pub.text
        hist = pub.text[pub.text.index("cpl-history"):]
        assert "DISDUKCAPIL" in hist, hist
        assert 'id="cpl-return"' not in pub.text
        # Open311: open again; the update is FixMyStreet's "open", without the reason
        j = env.client().get("/open311/v2/requests/%s.json?jurisdiction_id=%s" % (cid, TENANT)).expect(200).json()
        assert j[0]["status"] == "open", j
        start = urllib.parse.quote("2020-01-01T00:00:00+08:00")
        ups = env.client().get("/open311/v2/servicerequestupdates.json?jurisdiction_id=%s&start_date=%s"
                               % (TENANT, start)).expect(200).json()
        mine = [u for u in ups if u["service_request_id"] == str(cid)]
        assert [u["status"] for u in mine][-1] == "open", mine
        assert not any("DPUPR" in u["description"] or "Made" in u["description"] for u in mine), mine

        # routed again, to DPUPR this time; answered; an answered one is not handed back
        page = k.get(page_path(cid)).expect(200)
        act(k, cid, page, "verifikasi", category="jalan").expect(303)
        assert row(env, cid, "status, unit") == ("disposisi", "DPUPR")
        page = k.get(page_path(cid)).expect(200)
        assert 'id="cpl-returned"' not in page.text  # in the history only, once routed again
        act(k, cid, page, "jawab", text="Lubang sudah ditambal oleh DPUPR.").expect(303)
        done = file_o311(env, "Lampu jalan mati di gang masjid, gelap sekali", category="pju")
        page = k.get(page_path(done)).expect(200)
        act(k, done, page, "verifikasi", category="pju", unit="DISDUKCAPIL").expect(303)
        page = p.get(page_path(done)).expect(200)
        act(p, done, page, "jawab", text="Sudah kami teruskan.").expect(303)
        page = p.get(page_path(done)).expect(200)
        assert 'id="cpl-return"' not in page.text
        act(p, done, page, "kembalikan", text="Ternyata urusan DISPERKIM", version=row(env, done, "version")[0]).expect(
            409, contains="belum dijawab yang dapat dikembalikan ke koordinator")
        assert status_of(env, done) == "dijawab"
    finally:
        set_auto_route(env, True)


def test_expected_answer_moves_forward_on_an_early_verification(env):
    """The estimate assumes a verification on the verification deadline; verified earlier, the
    OPD's deadline (counted from the disposition) is earlier, never later."""
    set_auto_route(env, False)
    try:
        cid = file_o311(env, "Drainase tersumbat di depan pasar, air meluap ke jalan", category="drainase")
        k = login(env, "koordinator")
        page = k.get(page_path(cid)).expect(200)
        est = re.search(r'id="cpl-expected">([^<]+)<', page.text).group(1).strip()
        assert "(bila diverifikasi pada batas verifikasi" in page.text
        verify_due, estimate = (int(x) for x in row(env, cid, "verify_due, expected_at"))
        act(k, cid, page, "verifikasi", category="drainase").expect(303)
        answer_due, expected_at = (int(x) for x in row(env, cid, "answer_due, expected_at"))
        assert 0 < answer_due <= estimate == expected_at, (answer_due, estimate)
        page = k.get(page_path(cid)).expect(200, contains="Jawaban diharapkan paling lambat")
        after = re.search(r'id="cpl-expected">([^<]+)<', page.text).group(1).strip()
        assert after <= est, (after, est)
    finally:
        set_auto_route(env, True)


def file_web(c, identity, tag, nonce=None):
    form = c.get(T + "/pengaduan/baru").expect(200)
    fields = [("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", "Trotoar rusak %s" % tag),
              ("description", "Trotoar di depan sekolah rusak dan berlubang %s" % tag),
              ("category", "jalan"), ("kelurahan", "52.71.02.1011"), ("identity", identity)]
    if nonce:
        fields.append(("_nonce", nonce))
    body, ctype = multipart(fields, [])
    r = c.request("POST", T + "/pengaduan/baru", body=body, headers={"Content-Type": ctype})
    assert r.status == 303, (r.status, r.text[:500])
    cid = re.match(r"^/t/52\.71/pengaduan/(\d+)\?baru=1$", r.header("location")).group(1)
    cookie = [l for l in r.header_all("set-cookie") if l.startswith("sigap_pelapor=")]
    return cid, r, cookie


def test_reporter_code_only_without_account(env):
    # a citizen signed in, filing under the account: no code, no cookie; the account is the way back
    w = login(env, "warga")
    cid, r, cookie = file_web(w, "terbuka", "akun")
    assert not cookie, cookie
    page = w.get(r.header("location")).expect(200, contains="Laporan Anda telah diterima")
    assert "Kode pelapor Anda" not in page.text and 'class="cpl-key"' not in page.text
    assert 'id="cpl-by-account"' in page.text and "tanpa kode pelapor" in page.text
    assert 'id="cpl-reply"' in page.text  # the account replies
    assert row(env, cid, "reporter_user_id") != ("0",)
    # confidential, still the account's: likewise
    cid2, r, cookie = file_web(w, "rahasia", "rahasia")
    assert not cookie
    assert "Kode pelapor Anda" not in w.get(r.header("location")).expect(200).text
    # the same form sent twice (its answer lost): the same answer, still no cookie
    nonce = uuid.uuid4().hex
    c1, r1, k1 = file_web(w, "terbuka", "dua kali", nonce=nonce)
    form = w.get(T + "/pengaduan/baru").expect(200)
    body, ctype = multipart([("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", "Trotoar rusak dua kali"),
                             ("description", "Trotoar di depan sekolah rusak dan berlubang dua kali"),
                             ("category", "jalan"), ("kelurahan", "52.71.02.1011"), ("identity", "terbuka"),
                             ("_nonce", nonce)], [])
    r2 = w.request("POST", T + "/pengaduan/baru", body=body, headers={"Content-Type": ctype})
    assert r2.status == 303 and r2.header("location") == r1.header("location"), (r2.status, r2.text[:300])
    assert not k1 and not [l for l in r2.header_all("set-cookie") if l.startswith("sigap_pelapor=")]

    # the same citizen filing anonymously: the report is linked to no account, so the code is the
    # only way back, and the page says so
    cid3, r, cookie = file_web(w, "anonim", "anonim")
    assert cookie and "HttpOnly" in cookie[0]
    assert row(env, cid3, "reporter_user_id") == ("0",)
    page = w.get(r.header("location")).expect(200, contains="Kode pelapor Anda")
    assert "tidak terhubung ke akun Anda" in page.text
    assert 'id="cpl-by-account"' not in page.text

    # a visitor without an account: the code, as before, without the account's words
    v = env.client()
    cid4, r, cookie = file_web(v, "anonim", "tamu")
    assert cookie
    page = v.get(r.header("location")).expect(200, contains="Kode pelapor Anda")
    assert "tidak terhubung ke akun Anda" not in page.text and 'id="cpl-by-account"' not in page.text
