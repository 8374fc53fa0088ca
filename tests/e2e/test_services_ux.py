"""
test_services_ux.py: what an application's pages say, from a walkthrough as a
citizen and as officials. A finished application (selesai, ditolak,
dibatalkan) shows when it ended and how many working days it took, not a
pending step and a target (its page, the tracking page, the API, the
receipt). Each history line says which step was finished (or acted on), by
whom, and where the application went (the next step, another OPD's name):
it showed the step the application moved to next to the officer who
finished the one before. Times carry the Pemda's zone (WITA for 52.71) in
one form, 2026-12-01 10:45 WITA: the application page, its history, the
receipt (once), the account and its sessions, the dashboard's
notifications (which read 01-12-2026 10:45). Every officer's and
citizen's action says on the page it lands on that it was done (role
status, Indonesian and English); an officer whose OPD the application
left lands on the queue with that word instead of a 403. The survey page
names the OPD in full and links back to what it rates. The account's
phone number follows the complaint form's rule: an Indonesian number,
62... kept as +62...
"""
import datetime
import re

from harness import TENANT, local_today, pdf_text, unique
from test_services import NIK, PDF, add_officer, at_dpupr, file_app, new_service, post_mp, working_days_since
from test_privacy import ACCOUNT, alert, correct, register, user_row

WHEN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} WITA"
STATUS = re.compile(r'<p class="notice" role="status">([^<]*)</p>')


def page_of(c, path, **kw):
    return c.get(path, **kw).expect(200)


def act(c, path, op, text=None, lang=None):
    """An action through the application page's own form; returns the redirect's location."""
    headers = {"Accept-Language": lang} if lang else None
    p = c.get(path, headers=headers).expect(200)
    fields = {"_csrf": p.csrf(), "op": op}
    m = re.search(r'name="version" value="(\d+)"', p.text)
    if m:
        fields["version"] = m.group(1)
    if text is not None:
        fields["text"] = text
    if op in ("reject", "cancel"):
        fields["yakin"] = "1"
    r = c.post_form(path + "/aksi", fields, headers=headers).expect(303)
    return r.header("location")


def notice(c, location, lang=None):
    """The status notice of the page location leads to (one, or None)."""
    p = c.get(location, headers={"Accept-Language": lang} if lang else None).expect(200)
    found = STATUS.findall(p.text)
    return found[0] if found else None


def officer(env, name):
    c = env.client()
    c.login(TENANT, name)
    return c


def history(page):
    """The history's lines as text, tags dropped."""
    ol = page.text[page.text.index('class="svc-events"'):]
    ol = ol[:ol.index("</ol>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", ol, re.S)]


def test_finished_application_shows_its_end(env):
    """selesai, ditolak and dibatalkan: the end and the working days it took, no step, no target."""
    code, _admin, _ = new_service(env)
    o, k = officer(env, "petugas"), officer(env, "kepala_opd")
    w, _csrf, done_id = file_app(env, code)
    path = "/t/%s/permohonan/%d" % (TENANT, done_id)
    # open: the step and the target
    p = page_of(w, path)
    assert re.search(r"· Tahap: Verifikasi berkas</p>", p.text), p.text[:3000]
    assert "Target selesai" in p.text and "Selesai pada" not in p.text and "Lama proses" not in p.text
    for c in (o, o, k):
        act(c, path, "advance")
    p = page_of(w, path)
    card = p.text[p.text.index('<section class="card">'):p.text.index("</dl>")]
    assert "Tahap:" not in card and "Persetujuan Kepala OPD" not in card, card
    assert "Target selesai" not in card, card
    m = re.search(r"<dt>Selesai pada</dt><dd>(%s)</dd><dt>Lama proses</dt><dd>([^<]*)" % WHEN, card)
    assert m, card
    assert m.group(2).startswith("kurang dari 1 hari kerja · standar pelayanan 3 hari kerja"), m.group(2)
    assert "(tepat waktu)" in card, card
    j = w.get("/api/v1/t/%s/applications/%d" % (TENANT, done_id)).expect(200).json()
    assert j["closed"]["at"] == m.group(1) and j["closed"]["working_days"] == 0 and j["closed"]["late"] == 0, j
    # in English too
    e = page_of(w, path, headers={"Accept-Language": "en"}).text
    assert "Finished on" in e and "less than 1 working day" in e and "Stage:" not in e[:e.index("</dl>")]
    # the public tracking page and the receipt say the same
    t = page_of(env.client(), "/t/%s/lacak?nomor=%s" % (TENANT, j["number"]))
    res = t.text[t.text.index("<h2>"):]
    assert "Selesai pada</dt><dd>%s" % m.group(1) in res and "Target selesai" not in res and "Tahap:" not in res, res
    text = pdf_text(w.get(path + "/tanda-terima.pdf").expect(200, ctype="application/pdf").body)
    assert "(Selesai pada)" in text and "(%s (kurang dari 1 hari kerja))" % m.group(1) in text, text[:3000]
    # "Permohonan saya": when it ended, no step and target
    mine = page_of(w, "/t/%s/permohonan" % TENANT).text
    row = mine[mine.index(j["number"]):]
    row = row[:row.index("</li>")]
    assert re.search(r'svc-selesai">Selesai</span> · %s$' % WHEN, row) and "target" not in row, row

    # finished late: how many working days past the target, counted on the calendar's working days
    w2, _c, late_id = file_app(env, code)
    lpath = "/t/%s/permohonan/%d" % (TENANT, late_id)
    for c in (o, o, k):
        act(c, lpath, "advance")
    env.shared_db.sql("UPDATE services_apps SET due_day = due_day - 30, filed_at = filed_at - 30 * 86400 WHERE id = %d"
                      % late_id)
    j = w2.get("/api/v1/t/%s/applications/%d" % (TENANT, late_id)).expect(200).json()
    assert j["closed"]["late"] > 0 and j["closed"]["working_days"] >= j["closed"]["late"], j["closed"]
    p = page_of(w2, lpath)
    assert re.search(r'<span class="svc-flag">\(terlambat %d hari kerja\)</span>' % j["closed"]["late"], p.text), \
        p.text[p.text.index("<dl"):p.text.index("</dl>")]
    assert "tepat waktu" not in p.text

    # rejected
    _w, _c, rej_id = file_app(env, code)
    rpath = "/t/%s/permohonan/%d" % (TENANT, rej_id)
    act(o, rpath, "reject", "Berkas bukan milik pemohon")
    p = page_of(w, rpath)
    card = p.text[p.text.index('<section class="card">'):p.text.index("</dl>")]
    assert re.search(r"<dt>Ditolak pada</dt><dd>%s</dd><dt>Lama proses</dt>" % WHEN, card), card
    assert "Tahap:" not in card and "Target selesai" not in card and "tepat waktu" not in card, card

    # cancelled while returned: the wait for the applicant is off the clock
    _w, _c, can_id = file_app(env, code)
    cpath = "/t/%s/permohonan/%d" % (TENANT, can_id)
    act(o, cpath, "return", "Scan buram")
    env.shared_db.sql("UPDATE services_apps SET paused_day = paused_day - 14, filed_at = filed_at - 14 * 86400 "
                      "WHERE id = %d" % can_id)
    act(w, cpath, "cancel")
    p = page_of(w, cpath)
    card = p.text[p.text.index('<section class="card">'):p.text.index("</dl>")]
    assert re.search(r"<dt>Dibatalkan pada</dt><dd>%s</dd><dt>Lama proses</dt><dd>kurang dari 1 hari kerja" % WHEN,
                     card), card
    assert "Tahap:" not in card and "Target selesai" not in card, card
    row = env.shared_db.sql("SELECT paused_total FROM services_apps WHERE id = %d" % can_id)[0][0]
    back = (local_today(8) - datetime.timedelta(days=14)).isoformat()
    assert int(row) == working_days_since(o, back) > 0, (row, back)


def test_history_says_which_step_by_whom_and_where(env):
    """Each line: the step finished by whom, and where it went; the step at another OPD by that OPD's name.
    The DPUPR officer who finishes DPUPR's step lands on the queue, told it was done, not on a 403."""
    admin, w, app_id, path, o, _p = at_dpupr(env)
    d = add_officer(env, admin, "DPUPR")
    dname = d.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()
    loc = act(d, path, "note", "Gambar dicek di lapangan")
    assert loc == path + "?ok=catatan", loc
    loc = act(d, path, "advance")
    assert loc == "/t/%s/antrian?ok=diteruskan_opd" % TENANT, loc
    assert "tidak ada lagi di antrian Anda" in notice(d, loc)
    d.get(path).expect(403)
    k = officer(env, "kepala_opd")
    act(k, path, "advance")
    lines = history(page_of(o, path))
    dpupr = dname["unit_name"]
    want = [
        r"^%s — Sedang diproses · Diajukan oleh warga → tahap Verifikasi berkas$" % WHEN,
        r"^%s — Sedang diproses · Tahap Verifikasi berkas selesai oleh petugas → tahap Pemeriksaan teknis, %s$"
        % (WHEN, re.escape(dpupr)),
        r"^%s — Sedang diproses · Catatan internal pada tahap Pemeriksaan teknis oleh ptg\w+ \[internal\]"
        r"Gambar dicek di lapangan$" % WHEN,
        r"^%s — Sedang diproses · Tahap Pemeriksaan teknis selesai oleh ptg\w+ → tahap Persetujuan Kepala OPD, "
        r"Dinas Kependudukan dan Pencatatan Sipil$" % WHEN,
        r"^%s — Selesai · Tahap Persetujuan Kepala OPD selesai oleh kepala_opd$" % WHEN,
    ]
    assert len(lines) == len(want), lines
    for line, pattern in zip(lines, want):
        assert re.match(pattern, line), (line, pattern)
    # the applicant: no internal note, the same steps
    mine = history(page_of(w, path))
    assert len(mine) == 4 and not any("internal" in x for x in mine), mine
    assert "Tahap Pemeriksaan teknis selesai oleh ptg" in mine[2], mine
    # the public tracking: the same steps, nobody's name
    number = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["number"]
    public = history(page_of(env.client(), "/t/%s/lacak?nomor=%s" % (TENANT, number)))
    assert public[1] == re.sub(r" oleh petugas", "", mine[1]) and " oleh " not in " ".join(public), public
    # the API gives the same parts
    ev = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["events"]
    assert ev[1]["action"] == "diteruskan" and ev[1]["at_step"] == "Verifikasi berkas", ev[1]
    assert ev[1]["to_step"] == "Pemeriksaan teknis" and ev[1]["to_unit"] == "DPUPR", ev[1]
    assert ev[1]["step"] == "Pemeriksaan teknis" and "at_step" not in ev[0], ev
    # in English
    en = history(page_of(w, path, headers={"Accept-Language": "en"}))
    assert re.search(r"Stage Verifikasi berkas completed by petugas → stage Pemeriksaan teknis", en[1]), en

    # a transfer and a return say where and at which step
    code, _a, _ = new_service(env)
    _w, _c, t_id = file_app(env, code)
    tpath = "/t/%s/permohonan/%d" % (TENANT, t_id)
    o2 = officer(env, "petugas")
    p = page_of(o2, tpath)
    r = o2.post_form(tpath + "/aksi", {"_csrf": p.csrf(), "op": "transfer", "text": "DPUPR",
                                       "version": re.search(r'name="version" value="(\d+)"', p.text).group(1)})
    assert r.status == 303 and r.header("location") == tpath + "?ok=dipindahkan", r.header("location")
    act(d, tpath, "return", "Lengkapi gambar")
    lines = history(page_of(w, tpath))
    assert re.match(r"^%s — Sedang diproses · Diteruskan ke OPD lain pada tahap Verifikasi berkas oleh petugas → %s$"
                    % (WHEN, re.escape(dpupr)), lines[1]), lines
    assert re.match(r"^%s — Dikembalikan untuk perbaikan pada tahap Verifikasi berkas "
                    r"oleh ptg\w+Alasan: Lengkapi gambar$" % WHEN, lines[2]), lines


def test_a_return_is_said_once(env):
    """A returned application's history: each line says what happened once (the return was
    "Dikembalikan untuk perbaikan · Dikembalikan untuk perbaikan pada tahap ..."), the officer's
    reason once, as the reason; the resubmission and a rejection and a cancellation alike; on the
    application page, the public tracking page and in English."""
    code, _admin, _ = new_service(env)
    w, _csrf, app_id = file_app(env, code)
    path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    o = officer(env, "petugas")
    act(o, path, "return", "Scan KK buram, unggah ulang")
    lines = history(page_of(w, path))
    back = lines[1]
    assert back.count("Dikembalikan untuk perbaikan") == 1, back
    assert back.count("Scan KK buram, unggah ulang") == 1, back
    assert re.match(r"^%s — Dikembalikan untuk perbaikan pada tahap Verifikasi berkas oleh petugas"
                    r"Alasan: Scan KK buram, unggah ulang$" % WHEN, back), lines
    # the citizen corrects and sends it again: the resubmission's line, then the return's unchanged
    p = page_of(w, path)
    ver = re.search(r'name="version" value="(\d+)"', p.text).group(1)
    r = post_mp(w, path + "/perbaiki", [("_csrf", p.csrf()), ("version", ver), ("nama", "Baiq Nurul Aini"),
                                        ("nik_pemohon", NIK), ("keperluan", "Baru")], [("kk", "kk2.pdf", PDF)])
    assert r.status == 303, r.text[:1500]
    lines = history(page_of(w, path))
    assert lines[1] == back, lines
    assert re.match(r"^%s — Sedang diproses · Diajukan ulang setelah perbaikan oleh \S+ → tahap Verifikasi berkas$"
                    % WHEN, lines[2]), lines
    assert sum(x.count("Dikembalikan untuk perbaikan") for x in lines) == 1, lines
    # the public tracking page: the same line, without the name and the reason
    number = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["number"]
    public = history(page_of(env.client(), "/t/%s/lacak?nomor=%s" % (TENANT, number)))
    assert re.match(r"^%s — Dikembalikan untuk perbaikan pada tahap Verifikasi berkas$" % WHEN, public[1]), public
    # in English
    en = history(page_of(w, path, headers={"Accept-Language": "en"}))
    assert en[1].count("Returned for revision") == 1 and en[1].count("Scan KK buram") == 1, en
    assert re.search(r"Returned for revision at stage Verifikasi berkas by petugasReason: Scan KK buram", en[1]), en
    # rejected, and cancelled by the citizen: said once too
    act(o, path, "reject", "Bukan pemohon yang sah")
    rej = history(page_of(w, path))[3]
    assert re.match(r"^%s — Ditolak pada tahap Verifikasi berkas oleh petugasAlasan: Bukan pemohon yang sah$" % WHEN,
                    rej), rej
    w2, _c, id2 = file_app(env, code)
    path2 = "/t/%s/permohonan/%d" % (TENANT, id2)
    act(w2, path2, "cancel")
    gone = history(page_of(w2, path2))[1]
    assert gone.count("Dibatalkan") == 1 and "Alasan" not in gone, gone
    # the API keeps its fields as they were
    ev = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["events"]
    assert ev[1]["action"] == "dikembalikan" and ev[1]["state"] == "dikembalikan", ev[1]
    assert "names_state" not in ev[1] and "note_is_reason" not in ev[1], ev[1]


def test_times_carry_the_zone(env):
    """One form everywhere: YYYY-MM-DD HH:MM and the Pemda's zone."""
    code, _admin, _ = new_service(env)
    w, _csrf, app_id = file_app(env, code)
    path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    p = page_of(w, path)
    assert re.search(r"<dt>Diajukan</dt><dd>%s</dd>" % WHEN, p.text), p.text[:3000]
    assert all(re.match(WHEN, x) for x in history(p)), history(p)
    j = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()
    assert re.fullmatch(WHEN, j["filed"]) and re.fullmatch(WHEN, j["events"][0]["when"]), j["filed"]
    text = pdf_text(w.get(path + "/tanda-terima.pdf").expect(200, ctype="application/pdf").body)
    assert "(%s)" % j["filed"] in text and "WITA WITA" not in text, text[:3000]
    # the account and its sessions
    c, _name = register(env)
    a = page_of(c, ACCOUNT)
    assert re.search(r"<dt>Akun dibuat</dt><dd>%s</dd>" % WHEN, a.text), a.text
    assert re.search(r"Masuk sejak %s · berakhir bila tidak dipakai sampai %s" % (WHEN, WHEN), a.text), a.text
    # the dashboard's notifications, as every other page: a return notifies the applicant
    o = officer(env, "petugas")
    act(o, path, "return", "Scan buram")
    dash = page_of(w, "/t/%s/dasbor" % TENANT)
    times = re.findall(r"<time>([^<]*)</time>", dash.text)
    assert times and all(re.fullmatch(WHEN, t) for t in times), times
    assert not re.search(r"\d{2}-\d{2}-\d{4}", dash.text)


def test_actions_say_they_were_saved(env):
    """Each action leads to a page that says it was done, announced (role=status), in the reader's language."""
    code, _admin, _ = new_service(env)
    w, _csrf, app_id = file_app(env, code)
    path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    o, k = officer(env, "petugas"), officer(env, "kepala_opd")
    assert STATUS.findall(page_of(o, path).text) == []
    steps = [
        (o, "assign", "petugas", "ditugaskan", "Petugas sudah ditugaskan."),
        (o, "note", "Cek ulang KK", "catatan", "Catatan internal tersimpan."),
        (o, "return", "Scan buram", "dikembalikan", "Permohonan dikembalikan kepada pemohon untuk perbaikan"),
    ]
    for c, op, text, key, said in steps:
        loc = act(c, path, op, text)
        assert loc == path + "?ok=" + key, loc
        assert said in notice(c, loc), (op, notice(c, loc))
    # the citizen's correction
    p = page_of(w, path)
    ver = re.search(r'name="version" value="(\d+)"', p.text).group(1)
    r = post_mp(w, path + "/perbaiki", [("_csrf", p.csrf()), ("version", ver), ("nama", "Baiq Nurul Aini"),
                                        ("nik_pemohon", NIK), ("keperluan", "Baru")], [("kk", "kk2.pdf", PDF)])
    assert r.status == 303 and r.header("location") == path + "?ok=diajukan_ulang", r.header("location")
    assert "Perbaikan terkirim" in notice(w, r.header("location"))
    # the result document, then the steps
    p = page_of(o, path)
    r = post_mp(o, path + "/hasil", [("_csrf", p.csrf()), ("version", re.search(r'name="version" value="(\d+)"',
                                                                                p.text).group(1))],
                [("hasil", "hasil.pdf", PDF)])
    assert r.status == 303 and r.header("location") == path + "?ok=hasil", r.header("location")
    assert notice(o, r.header("location")) == "Dokumen hasil tersimpan."
    loc = act(o, path, "advance")
    assert loc == path + "?ok=diteruskan" and "Tahap selesai" in notice(o, loc), loc
    # in English
    loc = act(o, path, "advance", lang="en")
    assert notice(o, loc, lang="en") == "Step completed; the application has gone on to the next step."
    loc = act(k, path, "advance")
    assert loc == path + "?ok=selesai" and notice(k, loc) == "Permohonan selesai; pemohon sudah diberi tahu.", loc
    # a key nobody sent says nothing
    assert STATUS.findall(page_of(o, path + "?ok=xyz").text) == []
    # a rejection and the citizen's cancel
    _w, _c, r_id = file_app(env, code)
    rpath = "/t/%s/permohonan/%d" % (TENANT, r_id)
    loc = act(o, rpath, "reject", "Bukan wewenang OPD ini")
    assert loc == rpath + "?ok=ditolak" and "Permohonan ditolak" in notice(o, loc), loc
    _w, _c, c_id = file_app(env, code)
    cpath = "/t/%s/permohonan/%d" % (TENANT, c_id)
    loc = act(w, cpath, "cancel")
    assert loc == cpath + "?ok=dibatalkan" and notice(w, loc) == "Permohonan dibatalkan.", loc
    # a refused action says no such thing: the error, no notice
    p = page_of(o, rpath)
    r = o.post_form(rpath + "/aksi", {"_csrf": p.csrf(), "op": "advance", "version": "1"}).expect(409)
    assert STATUS.findall(r.text) == [], STATUS.findall(r.text)


def test_survey_names_the_opd_and_links_back(env):
    code, _admin, _ = new_service(env)
    w, _csrf, app_id = file_app(env, code)
    path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    o, k = officer(env, "petugas"), officer(env, "kepala_opd")
    for c in (o, o, k):
        act(c, path, "advance")
    j = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()
    survey = "/t/%s/survei/%s" % (TENANT, j["survey"]["token"])
    page = page_of(w, survey)
    head = page.text[page.text.index("<main"):page.text.index('<form method="post"')]
    assert "Dinas Kependudukan dan Pencatatan Sipil" in head, head
    assert '<a href="%s">%s</a>' % (path, j["number"]) in head and "Layanan Uji " + code in head, head
    assert "· DISDUKCAPIL ·" not in head, head
    fields = {"_csrf": page.csrf()}
    for i in range(9):
        fields["u%d" % (i + 1)] = "4"
    done = w.post_form(survey, fields).expect(200, contains="penilaian Anda sudah kami terima")
    assert '<a href="%s">Kembali ke permohonan %s</a>' % (path, j["number"]) in done.text, done.text
    again = page_of(env.client(), survey)
    assert "sudah diisi" in again.text and 'href="%s"' % path in again.text
    en = page_of(env.client(), survey, headers={"Accept-Language": "en"})
    assert "Back to application" in en.text


def test_account_phone_follows_the_complaint_forms_rule(env):
    """A foreign number is refused on the account as on the complaint form; 62... is kept as +62...."""
    c, name = register(env)
    page = page_of(c, ACCOUNT)
    for bad in ("+1 555 123 4567", "+44 20 7946 0958", "0812"):
        r = correct(c, page, full_name="Siti Aminah", phone=bad, email="siti@example.id").expect(400)
        assert "nomor HP tidak sah" in alert(r), (bad, alert(r))
        assert 'id="phone-error"' in r.text and 'value="%s"' % bad in r.text, bad
    assert user_row(env, name, "phone") == ("081234567890",)
    r = c.post_form(ACCOUNT, {"_csrf": page.csrf(), "version": re.search(r'name="version" value="(\d+)"',
                                                                         page.text).group(1),
                              "full_name": "Siti Aminah", "email": "siti@example.id", "phone": "+1 555 123 4567"},
                    headers={"Accept-Language": "en"}).expect(400)
    assert "invalid mobile number: start with 08 or +62" in alert(r), alert(r)
    r = correct(c, page, full_name="Siti Aminah", phone="62877654321", email="siti@example.id").expect(303)
    assert user_row(env, name, "phone") == ("+62877654321",)
    # registration: the same rule
    d = env.client()
    form = d.get("/t/%s/daftar" % TENANT).expect(200)
    r = d.post_form("/t/%s/daftar" % TENANT, {"_csrf": form.csrf(), "full_name": "Budi", "username": unique("hp"),
                                               "phone": "+1 555 123 4567", "email": "", "password": "kata-sandi-uji-123",
                                               "confirm": "kata-sandi-uji-123"}).expect(400)
    assert "nomor HP tidak sah" in r.text
    _c, other = register(env, phone="62 812-3456-7890")
    assert user_row(env, other, "phone") == ("+6281234567890",)
