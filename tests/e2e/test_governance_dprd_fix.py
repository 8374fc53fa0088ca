"""
test_governance_dprd_fix.py: a DPRD stage recorded wrongly is corrected, its history kept. A wrong
date, or "Ditolak DPRD" recorded for "Disetujui DPRD" (final), was a dead end: nothing could change
a recorded stage. Now the latest stage is corrected from the proposal's page (or the API) by whoever
records stages (the Sekda, a DPRD member), with a reason; the original entry stays, and the
correction (who, when, why, before -> after) is shown on the page, marked on the DPRD agenda and
given in the JSON API; each correction is audited and heard of by the other side. Every refusal is a
4xx with an Indonesian message (and audited), never a 500, and changes nothing.

A stage may not be dated before the head approved the proposal nor after today, and what a test
decides is approved today: these tests correct the stages of the demo's Raperda, approved weeks
before, on a server of its own (older_item). test_governance_dprd_dates has the date rules.
"""
import datetime
import re

from harness import TENANT
from test_governance import WITA, act, actors, create, csrf, day, decided, login, words

T = "/t/%s" % TENANT
API = "/api/v1/t/%s" % TENANT
RAPERDA = "Rancangan Peraturan Daerah tentang Penyelenggaraan Administrasi Kependudukan"


def version_of(c, pid):
    return c.get("%s/usulan/%d" % (API, pid)).expect(200).json()["version"]


def fix(c, pid, expect=303, **fields):
    """Posts the correction form (action koreksi_dprd) with the proposal's current version unless given."""
    data = {"_csrf": csrf(c), "action": "koreksi_dprd"}
    if "version" not in fields:
        data["version"] = str(version_of(c, pid))
    data.update((k, v) for k, v in fields.items() if v is not None)
    return c.post_form("%s/usulan/%d/tindakan" % (T, pid), data).expect(expect)


def stages_of(text):
    m = re.search(r'<ul id="dprd">.*?</ul>', text, re.S)
    assert m, text[:3000]
    return m.group(0)


def form_of(text, ident):
    m = re.search(r'<form[^>]*id="%s".*?</form>' % ident, text, re.S)
    return m.group(0) if m else ""


def count(db, sql):
    return int(db.sql(sql)[0][0])


def older_item(env, users=("sekda", "dprd")):
    """The demo's Raperda on a server of its own (a fresh copy of the demo database): approved by the head 25
    days before the copy was made, submitted to the DPRD 20 days before (src/governance/demo.c). A stage may
    not be dated before the head's approval nor after today, and what a test decides is approved today: this
    one leaves days between for stages and corrections of dates of their own. Returns the database, the
    clients of users on that server, the proposal and the dates of the approval and of its submission."""
    db = env.new_db()
    srv = env.start_server(db)
    clients = []
    for u in users:
        c = srv.client()
        c.login(TENANT, u)
        clients.append(c)
    pid = int(db.sql("SELECT id FROM governance_proposals WHERE title = '%s'" % RAPERDA)[0][0])
    j = clients[0].get("%s/usulan/%d" % (API, pid)).expect(200).json()
    approved = datetime.datetime.fromtimestamp(j["decision"]["decided_at"], WITA).date().isoformat()
    assert [s["stage"] for s in j["dprd"]] == ["diajukan"], j["dprd"]
    submitted = j["dprd"][0]["day"]
    assert approved < submitted <= day(-19), (approved, submitted)
    return db, clients, pid, approved, submitted


def test_a_final_stage_recorded_wrongly_is_corrected_and_its_history_kept(env):
    db, (s, d), pid, approved, sub = older_item(env)
    # deliberated a week after its submission, "Ditolak DPRD" recorded a week later for what was approved
    talk, wrong, right, minutes = day(7, sub), day(14, sub), day(15, sub), day(16, sub)
    act(d, pid, "dprd", stage="pembahasan", stage_day=talk)
    act(d, pid, "dprd", stage="ditolak", stage_day=wrong)
    page = d.get("%s/usulan/%d" % (T, pid)).expect(200).text
    form = form_of(page, "form-dprd-koreksi")
    # the outcome may become the other outcome; as recorded until changed, no earlier than the stage before,
    # no later than today, which the form says in words
    assert re.search(r'<option value="disetujui">Disetujui DPRD</option><option value="ditolak" selected>', form), form
    assert 'value="%s"' % wrong in form and 'min="%s"' % talk in form and 'max="%s"' % day() in form, form
    assert "paling awal %s, paling lambat hari ini (%s)" % (words(talk), words(day())) in form, form
    assert 'name="reason"' in form, form
    assert 'name="version" value="%d"' % version_of(d, pid) in form, form
    assert 'id="form-dprd"' not in page  # nothing to record any more
    before = version_of(d, pid)
    audits = count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.dprd_correct'")
    r = fix(d, pid, stage="disetujui", stage_day=right, reason="Salah pilih: rapat paripurna menyetujui")
    assert r.header("location").endswith("/usulan/%d?ok=simpan" % pid)  # saved, nothing signed
    page = d.get(r.header("location")).expect(200).text
    assert "tersimpan" in page and "ditandatangani" not in re.search(r'<p class="notice".*?</p>', page, re.S).group(0)
    stages = stages_of(page)
    # the stage as it now stands, marked; under it the correction: who, when, before -> after, why
    assert re.findall(r"<strong>([^<]*)</strong>", stages) == ["Diajukan ke DPRD", "Pembahasan", "Disetujui DPRD"], stages
    assert re.search(r'<strong>Disetujui DPRD</strong> · %s <span class="gov-corrected">dikoreksi</span>' % right,
                     stages), stages
    assert stages.count("gov-corrected") == 1, stages
    fixes = re.search(r'<ol class="gov-corrections">.*?</ol>', stages, re.S).group(0)
    assert "Dikoreksi oleh" in fixes and "Anggota DPRD" in fixes, fixes
    assert re.search(r"<del>.*Ditolak DPRD · %s</del> → <ins>.*Disetujui DPRD · %s</ins>" % (wrong, right), fixes), fixes
    assert "Salah pilih: rapat paripurna menyetujui" in fixes, fixes
    # the stored history: the entry as recorded first, the new one, the reason, who; audited; the lock moved on
    rows = db.sql("SELECT seq, stage_before, day_before, stage_after, day_after, reason, actor, actor_role "
                  "FROM governance_dprd_corrections WHERE proposal_id = %d" % pid)
    assert [tuple(str(v) for v in row) for row in rows] == [
        ("1", "ditolak", wrong, "disetujui", right, "Salah pilih: rapat paripurna menyetujui", "dprd", "dprd")], rows
    assert count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.dprd_correct'") == audits + 1
    summary = db.sql("SELECT summary, object, actor FROM audit_log WHERE action = 'governance.dprd_correct' "
                     "AND object = 'proposal:%d'" % pid)[0]
    assert "ditolak pada %s menjadi disetujui pada %s" % (wrong, right) in summary[0] and summary[2] == "dprd", summary
    assert version_of(d, pid) == before + 1
    # the Sekda hears of it, as of a stage recorded by a DPRD member
    assert count(db, "SELECT COUNT(*) FROM notifications WHERE role = 'sekda' AND object = 'proposal:%d' "
                     "AND message = 'Tahap DPRD dikoreksi'" % pid) == 1
    # the DPRD's agenda marks it
    row = [l for l in d.get(T + "/usulan").text.splitlines() if RAPERDA in l and "<tr>" in l]
    assert row and "Disetujui DPRD" in row[0] and "dikoreksi" in row[0], row
    # the JSON API: the stage as it stands, the corrections under it, how many on the proposal and in the list
    j = d.get("%s/usulan/%d" % (API, pid)).expect(200).json()
    assert j["dprd_stage"] == "disetujui" and j["dprd_corrections"] == 1, j
    last = j["dprd"][2]
    assert last["stage"] == "disetujui" and last["day"] == right and last["corrected"] is True, last
    k = last["corrections"][0]
    assert (k["stage_before"], k["day_before"], k["stage_after"], k["day_after"], k["actor"], k["actor_role"]) == (
        "ditolak", wrong, "disetujui", right, "dprd", "dprd"), k
    assert k["reason"] == "Salah pilih: rapat paripurna menyetujui" and k["at"] > 0 and k["seq"] == 1, k
    assert j["dprd"][0]["corrected"] is False and j["dprd"][0]["corrections"] == [], j["dprd"][0]
    listed = [p for p in d.get(API + "/usulan?all=1").json()["proposals"] if p["id"] == pid]
    assert listed and listed[0]["dprd_corrections"] == 1, listed
    # a second correction, by the Sekda through the API (the date only): both kept, in order
    r = s.post_json("%s/usulan/%d/tindakan" % (API, pid), {"action": "koreksi_dprd", "stage": "disetujui",
                                                          "stage_day": minutes, "version": version_of(s, pid),
                                                          "reason": "Tanggal berita acara"},
                    headers={"X-CSRF-Token": csrf(s)}).expect(200)
    assert r.json()["state"] == "disetujui" and r.json()["version"] == before + 2, r.json()
    j = s.get("%s/usulan/%d" % (API, pid)).json()
    ks = j["dprd"][2]["corrections"]
    assert [(k["stage_before"], k["day_before"], k["stage_after"], k["day_after"], k["actor_role"]) for k in ks] == [
        ("ditolak", wrong, "disetujui", right, "dprd"),
        ("disetujui", right, "disetujui", minutes, "sekda")], ks
    assert j["dprd"][2]["day"] == minutes and j["dprd_corrections"] == 2, j["dprd"]
    assert count(db, "SELECT COUNT(*) FROM notifications WHERE role = 'dprd' AND object = 'proposal:%d' "
                     "AND message = 'Tahap DPRD dikoreksi'" % pid) == 1
    page = d.get("%s/usulan/%d" % (T, pid)).text
    assert stages_of(page).count("Dikoreksi oleh") == 2 and "Sekretaris Daerah" in stages_of(page)
    # the head's signed decision is untouched: the chain still verifies
    assert "Semua tanda tangan sah." in page


def test_an_earlier_stage_has_its_date_corrected_and_the_next_stage_follows_it(env):
    db, (s, d), pid, approved, sub = older_item(env)
    act(d, pid, "dprd", stage="pembahasan", stage_day=day(7, sub))
    page = d.get("%s/usulan/%d" % (T, pid)).text
    form = form_of(page, "form-dprd-koreksi")
    # pembahasan keeps its place in the order: only its date changes
    assert re.search(r'<select id="fix_stage" name="stage" required><option value="pembahasan" selected>Pembahasan'
                     r'</option></select>', form), form
    assert 'id="form-dprd"' in page  # the outcome can still be recorded beside it
    # a long reason, written in more than ASCII: kept whole, and the audit log's part of it cut between characters
    reason = "Rapat pembahasan diundur ke pekan berikutnya — " + "ü" * 400
    fix(s, pid, stage="pembahasan", stage_day=day(10, sub), reason=reason)
    assert db.sql("SELECT reason FROM governance_dprd_corrections WHERE proposal_id = %d" % pid)[0][0] == reason
    logged = db.sql("SELECT summary FROM audit_log WHERE action = 'governance.dprd_correct' "
                    "AND object = 'proposal:%d'" % pid)[0][0]
    assert "alasan: Rapat pembahasan diundur" in logged and "\ufffd" not in logged, logged
    # the next stage's date is checked against the corrected one, which the refusal names
    act(d, pid, "dprd", stage="disetujui", stage_day=day(9, sub), expect=400).expect(
        400, contains="tanggal tahap tidak boleh sebelum %s, tanggal tahap sebelumnya (Pembahasan)" % words(day(10, sub)))
    act(d, pid, "dprd", stage="disetujui", stage_day=day(10, sub))
    j = d.get("%s/usulan/%d" % (API, pid)).json()
    assert [(x["stage"], x["day"], x["corrected"]) for x in j["dprd"]] == [
        ("diajukan", sub, False), ("pembahasan", day(10, sub), True), ("disetujui", day(10, sub), False)], j
    # the latest stage only: an earlier one is no longer on the form
    form = form_of(d.get("%s/usulan/%d" % (T, pid)).text, "form-dprd-koreksi")
    assert 'value="pembahasan"' not in form and 'value="disetujui" selected' in form, form


def test_a_wrong_correction_is_refused_with_a_clear_message_and_changes_nothing(env):
    db, (s, d, wakil, head, opd), pid, approved, sub = older_item(
        env, users=("sekda", "dprd", "wakil", "kepala_daerah", "kepala_opd"))
    talk = day(7, sub)
    act(d, pid, "dprd", stage="pembahasan", stage_day=talk)
    good = {"stage": "pembahasan", "stage_day": day(8, sub), "reason": "Salah tanggal"}

    def refused(c, status, message, **change):
        fields = dict(good)
        fields.update(change)
        n = count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused' "
                      "AND object = 'proposal:%d'" % pid)
        r = fix(c, pid, expect=status, **fields)
        assert message in r.text, (message, r.text[:2000])
        assert count(db, "SELECT COUNT(*) FROM governance_dprd_corrections WHERE proposal_id = %d" % pid) == 0
        assert count(db, "SELECT COUNT(*) FROM governance_dprd WHERE proposal_id = %d AND stage = 'pembahasan' "
                         "AND stage_day = '%s'" % (pid, talk)) == 1
        assert count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused' "
                         "AND object = 'proposal:%d'" % pid) == n + 1, message
        return r

    r = refused(d, 400, "tuliskan alasan koreksi", reason="")
    # the page comes back with the correction's form open, what was chosen kept, and a way to it
    form = form_of(r.text, "form-dprd-koreksi")
    assert re.search(r'<details class="gov-fix" id="dprd-koreksi" open>', r.text), r.text[:3000]
    assert 'value="%s"' % good["stage_day"] in form, form
    assert 'href="#dprd-koreksi" id="jump">Koreksi tahap DPRD' in r.text
    refused(d, 400, "tuliskan alasan koreksi", reason="  \r\n ")
    r = refused(d, 400, "tanggal tahap tidak boleh di masa depan: paling lambat hari ini, %s" % words(day()),
                stage_day="2099-01-01", reason="Tanggal salah ketik")
    # the reason and the date typed are kept in its form, not in the stage's
    assert "Tanggal salah ketik" in form_of(r.text, "form-dprd-koreksi")
    assert 'value="2099-01-01"' in form_of(r.text, "form-dprd-koreksi")
    assert "Tanggal salah ketik" not in form_of(r.text, "form-dprd")
    refused(d, 400, "tanggal tahap tidak boleh sebelum %s, tanggal tahap sebelumnya (Diajukan ke DPRD)" % words(sub),
            stage_day=day(-1, sub))
    # a date that is no date: the domain's refusal too, after the role check (audited)
    refused(d, 400, "tanggal tahap harus berformat YYYY-MM-DD", stage_day="13-01-2026")
    refused(d, 400, "hanya tanggal tahap ini yang dapat dikoreksi", stage="disetujui")
    refused(d, 400, "tahap DPRD tidak dikenal", stage="batal")
    refused(d, 400, "pilih tahap DPRD yang dicatat", stage="")
    refused(d, 400, "koreksi tidak mengubah apa pun", stage_day=talk)
    refused(d, 409, "data telah diubah orang lain", version="1")
    refused(d, 409, "data telah diubah orang lain", version="abc")
    refused(d, 400, "kirim versi usulan yang Anda lihat", version="")
    refused(d, 400, "alasan koreksi terlalu panjang", reason="x" * 4001)
    # a role that may not: the Wakil, the head, the OPD (who cannot even act on it)
    refused(wakil, 403, "peran Anda tidak berwenang melakukan tindakan ini")
    refused(head, 403, "peran Anda tidak berwenang melakukan tindakan ini")
    refused(opd, 403, "peran Anda tidak berwenang melakukan tindakan ini")
    # without the form's token: refused before anything is read
    r = d.post_form("%s/usulan/%d/tindakan" % (T, pid), dict(good, action="koreksi_dprd",
                                                            version=str(version_of(d, pid))))
    assert r.status == 403, r.describe()
    assert count(db, "SELECT COUNT(*) FROM governance_dprd_corrections WHERE proposal_id = %d" % pid) == 0
    # the JSON API answers the same refusals in its error shape
    h = {"X-CSRF-Token": csrf(d)}
    e = d.post_json("%s/usulan/%d/tindakan" % (API, pid), dict(good, action="koreksi_dprd", reason="",
                                                                version=version_of(d, pid)),
                    headers=h).expect_json_error(400)
    assert "tuliskan alasan koreksi" in e["message"], e
    d.post_json("%s/usulan/%d/tindakan" % (API, pid), dict(good, action="koreksi_dprd", version=1),
                headers=h).expect_json_error(409, message="data telah diubah orang lain")

    # on the shared server, proposals decided today
    a = actors(env)
    sd, ss = login(env, "dprd"), a["sekda"]
    # a proposal approved for the DPRD without a stage yet: nothing to correct
    none = decided(env, a, "Raperda belum diajukan koreksi e2e", needs_dprd=True)
    page = sd.get("%s/usulan/%d" % (T, none)).text
    assert 'id="form-dprd-koreksi"' not in page
    fix(sd, none, expect=409, stage="diajukan", stage_day=day(), reason="x").expect(
        409, contains="belum ada tahap DPRD yang dicatat")
    # a proposal that does not need the DPRD
    plain = decided(env, a, "Keputusan tanpa DPRD koreksi e2e")
    fix(ss, plain, expect=409, stage="diajukan", stage_day=day(), reason="x").expect(
        409, contains="usulan ini tidak memerlukan persetujuan DPRD")
    # a proposal still with the executive: the DPRD member may not even read it
    early = create(a["kepala_opd"], "Belum diputuskan koreksi e2e", needs_dprd=True)
    act(a["kepala_opd"], early, "ajukan")
    fix(ss, early, expect=409, stage="diajukan", stage_day=day(), reason="x").expect(
        409, contains="setelah disetujui Kepala Daerah")
    # and the right correction still goes through after all that
    fix(d, pid, **good)
    assert count(db, "SELECT COUNT(*) FROM governance_dprd_corrections WHERE proposal_id = %d" % pid) == 1


def test_the_correction_form_reads_english(env):
    db, (d,), pid, approved, sub = older_item(env, users=("dprd",))
    fix(d, pid, stage="diajukan", stage_day=day(1, sub), reason="Salah tanggal")
    page = d.get("%s/usulan/%d" % (T, pid), headers={"Accept-Language": "en"}).expect(200).text
    stages = stages_of(page)
    for words_en in ("corrected", "Corrected by", "Reason:"):
        assert words_en in stages, (words_en, stages)
    assert "dikoreksi" not in stages and "Alasan:" not in stages, stages
    form = re.search(r'<details class="gov-fix".*?</details>', page, re.S).group(0)
    assert "Correct the latest stage" in form and "Reason for the correction" in form, form
    # the dates allowed, with the months' English names
    assert re.search(r"from \d+ [A-Z][a-z]+ \d{4} to today \(\d+ [A-Z][a-z]+ \d{4}\)", form), form
    assert not any(" %s " % m in form for m in ("Januari", "Februari", "Maret", "Mei", "Juni", "Juli", "Agustus",
                                                 "Oktober", "Desember")), form
