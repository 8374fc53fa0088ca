"""
test_governance_dprd_dates.py: the dates of DPRD stages are checked. A stage of a proposal that needs
the DPRD is recorded by hand (the Sekda, a DPRD member) with the date of the DPRD's minutes, and
nothing checked that date but that it was not after today and not before the stage before: a stage
could be dated before the head approved the proposal, which is what puts it before the DPRD, and a
refusal did not say which date would do. Now a stage's date is from the day of the head's approval
and of the stage before (the later of the two) to the Pemda's today (WITA for 52.71), today
included, when it is recorded and when it is corrected. A refusal is a 400 naming the date allowed,
on the proposal's page (what was typed kept in its form) and in the JSON API; nothing is stored, and
only the refusal itself is audited (governance.refused, as every refusal of the module). Dates stored
before these rules still show; only what is recorded next is checked.
"""
import re

from test_governance import act, actors, csrf, day, decided, login, words
from test_governance_dprd_fix import API, T, count, fix, form_of, older_item, stages_of, version_of


def api_act(c, pid, status, **fields):
    """Posts an action to the JSON API; asserts the status."""
    return c.post_json("%s/usulan/%d/tindakan" % (API, pid), fields, headers={"X-CSRF-Token": csrf(c)}).expect(status)


def alert(text):
    m = re.search(r'<p class="alert" role="alert">(.*?)</p>', text, re.S)
    return m.group(1) if m else ""


def nothing_recorded(db, pid, stages, corrections=0):
    assert count(db, "SELECT COUNT(*) FROM governance_dprd WHERE proposal_id = %d" % pid) == stages
    assert count(db, "SELECT COUNT(*) FROM governance_dprd_corrections WHERE proposal_id = %d" % pid) == corrections
    assert count(db, "SELECT COUNT(*) FROM audit_log WHERE action IN ('governance.dprd', 'governance.dprd_correct') "
                     "AND object = 'proposal:%d'" % pid) == stages + corrections


def refusals(db, pid):
    return count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused' AND object = 'proposal:%d'"
                 % pid)


def test_a_stage_after_today_or_before_the_heads_approval_is_refused_and_today_is_taken(env):
    db = env.shared_db
    a = actors(env)
    s, d = a["sekda"], login(env, "dprd")
    pid = decided(env, a, "Raperda tanggal tahap e2e", needs_dprd=True)  # approved today
    today = day()
    future = "tanggal tahap tidak boleh di masa depan: paling lambat hari ini, %s" % words(today)
    early = "tanggal tahap tidak boleh sebelum %s, tanggal usulan disetujui Kepala Daerah" % words(today)
    # the form says which dates it takes
    form = form_of(s.get("%s/usulan/%d" % (T, pid)).expect(200).text, "form-dprd")
    for attr in ('value="%s"', 'min="%s"', 'max="%s"'):
        assert attr % today in form, (attr, form)
    assert "paling awal %s, paling lambat hari ini (%s)" % (words(today), words(today)) in form, form
    n = refusals(db, pid)
    # tomorrow, on the web form: the page again, the message at the top, what was typed kept
    r = act(s, pid, "dprd", expect=400, stage="diajukan", stage_day=day(1), note="Surat pengantar Wali Kota")
    assert alert(r.text) == future, alert(r.text)
    form = form_of(r.text, "form-dprd")
    assert 'value="%s"' % day(1) in form and "Surat pengantar Wali Kota" in form, form
    # yesterday: before the head approved it
    r = act(s, pid, "dprd", expect=400, stage="diajukan", stage_day=day(-1), note="Surat pengantar Wali Kota")
    assert alert(r.text) == early, alert(r.text)
    assert 'value="%s"' % day(-1) in form_of(r.text, "form-dprd")
    # the JSON API, in its error shape; and in English
    api_act(s, pid, 400, action="dprd", stage="diajukan", stage_day=day(30)).expect_json_error(
        400, code="invalid", message=future)
    api_act(d, pid, 400, action="dprd", stage="diajukan", stage_day="2020-01-05").expect_json_error(
        400, code="invalid", message=early)
    e = d.post_json("%s/usulan/%d/tindakan" % (API, pid), {"action": "dprd", "stage": "diajukan",
                                                           "stage_day": day(-3)},
                    headers={"X-CSRF-Token": csrf(d), "Accept-Language": "en"}).expect_json_error(400)
    assert re.fullmatch(r"the stage date cannot be before \d+ [A-Z][a-z]+ \d{4}, the day the Regional Head approved "
                        r"the proposal", e["message"]), e
    # nothing stored; each refusal audited as one, with the date it named
    nothing_recorded(db, pid, 0)
    assert refusals(db, pid) == n + 5
    logged = [row[0] for row in db.sql("SELECT summary FROM audit_log WHERE action = 'governance.refused' "
                                       "AND object = 'proposal:%d'" % pid)]
    assert any(x.endswith(early) for x in logged) and any(x.endswith(future) for x in logged), logged
    # today is taken, on the web form and the API
    act(s, pid, "dprd", stage="diajukan", stage_day=today)
    # a stage dated before the one it follows: out of order
    order = "tanggal tahap tidak boleh sebelum %s, tanggal tahap sebelumnya (Diajukan ke DPRD)" % words(today)
    r = act(d, pid, "dprd", expect=400, stage="pembahasan", stage_day=day(-1))
    assert alert(r.text) == order, alert(r.text)
    api_act(d, pid, 400, action="dprd", stage="pembahasan", stage_day=day(-1)).expect_json_error(400, message=order)
    api_act(d, pid, 200, action="dprd", stage="pembahasan", stage_day=today)
    # the outcome chosen is kept when its date is refused
    r = act(d, pid, "dprd", expect=400, stage="ditolak", stage_day=day(1))
    assert '<option value="ditolak" selected>' in form_of(r.text, "form-dprd"), form_of(r.text, "form-dprd")
    nothing_recorded(db, pid, 2)
    # a correction of today's date: held to the same rules
    v = version_of(d, pid)
    r = fix(d, pid, expect=400, stage="pembahasan", stage_day=day(1), reason="Salah tanggal", version=str(v))
    assert alert(r.text) == future and 'value="%s"' % day(1) in form_of(r.text, "form-dprd-koreksi"), alert(r.text)
    api_act(d, pid, 400, action="koreksi_dprd", stage="pembahasan", stage_day=day(-1), reason="Salah tanggal",
            version=v).expect_json_error(400, message=order)
    nothing_recorded(db, pid, 2)


def test_stage_dates_follow_the_approval_and_each_other_when_recorded_and_corrected(env):
    """On the demo's Raperda, approved weeks ago: each rule on its own, the days between in use."""
    db, (s, d), pid, approved, sub = older_item(env)
    after = "tanggal tahap tidak boleh sebelum %s, tanggal usulan disetujui Kepala Daerah" % words(approved)
    # the submission's own date corrected: not before the approval (the API, then the page) ...
    v = version_of(d, pid)
    api_act(d, pid, 400, action="koreksi_dprd", stage="diajukan", stage_day=day(-1, approved), reason="Salah tanggal",
            version=v).expect_json_error(400, code="invalid", message=after)
    r = fix(s, pid, expect=400, stage="diajukan", stage_day=day(-1, approved), reason="Salah tanggal")
    assert alert(r.text) == after, alert(r.text)
    form = form_of(r.text, "form-dprd-koreksi")
    assert 'value="%s"' % day(-1, approved) in form and 'min="%s"' % approved in form, form
    # ... nor after today
    fix(s, pid, expect=400, stage="diajukan", stage_day=day(1), reason="Salah tanggal").expect(
        400, contains="tanggal tahap tidak boleh di masa depan: paling lambat hari ini, %s" % words(day()))
    nothing_recorded(db, pid, 1)
    # the day of the approval itself is taken; then a few days later
    fix(s, pid, stage="diajukan", stage_day=approved, reason="Tanggal surat pengantar")
    sent = day(3, approved)
    fix(s, pid, stage="diajukan", stage_day=sent, reason="Tanggal diterima Sekretariat DPRD")
    # the next stage: after the approval, but before the submission it follows
    order = "tanggal tahap tidak boleh sebelum %s, tanggal tahap sebelumnya (Diajukan ke DPRD)" % words(sent)
    r = act(d, pid, "dprd", expect=400, stage="pembahasan", stage_day=day(2, approved))
    assert alert(r.text) == order, alert(r.text)
    api_act(d, pid, 400, action="dprd", stage="pembahasan", stage_day=day(1, approved)).expect_json_error(
        400, message=order)
    form = form_of(d.get("%s/usulan/%d" % (T, pid)).text, "form-dprd")
    assert 'min="%s"' % sent in form and 'max="%s"' % day() in form, form
    # the same day as the stage before; then the outcome today
    act(d, pid, "dprd", stage="pembahasan", stage_day=sent)
    # a correction of pembahasan: not before the submission
    api_act(d, pid, 400, action="koreksi_dprd", stage="pembahasan", stage_day=day(-1, sent), reason="Salah tanggal",
            version=version_of(d, pid)).expect_json_error(400, message=order)
    api_act(d, pid, 200, action="koreksi_dprd", stage="pembahasan", stage_day=day(5, approved),
            reason="Tanggal rapat", version=version_of(d, pid))
    act(d, pid, "dprd", stage="disetujui", stage_day=day())
    j = d.get("%s/usulan/%d" % (API, pid)).expect(200).json()
    assert [(x["stage"], x["day"]) for x in j["dprd"]] == [
        ("diajukan", sent), ("pembahasan", day(5, approved)), ("disetujui", day())], j["dprd"]
    # three corrections, two stages recorded here (and the demo's one); the refusals changed nothing
    nothing_recorded(db, pid, 3, corrections=3)


def test_stage_dates_stored_before_the_rules_still_show(env):
    """A stage stored with a date these rules refuse (before the head's approval, or after today): the
    proposal's page, the DPRD's agenda and the API show it as it is; the next stage is held to the rules."""
    db = env.shared_db
    a = actors(env)
    d = login(env, "dprd")
    titles = {"before": "Raperda tanggal lama e2e", "after": "Raperda tanggal depan e2e"}
    pids = {}
    for k, stored in (("before", "2020-01-06"), ("after", "2099-12-31")):
        pid = pids[k] = decided(env, a, titles[k], needs_dprd=True)
        db.sql("INSERT INTO governance_dprd (tenant, proposal_id, stage, stage_day, note, actor, created_at) "
               "VALUES ('52.71', %d, 'diajukan', '%s', '', 'sekda', 1767225600)" % (pid, stored))
        db.sql("UPDATE governance_proposals SET dprd_stage = 'diajukan' WHERE id = %d" % pid)
        page = d.get("%s/usulan/%d" % (T, pid)).expect(200).text
        assert "<strong>Diajukan ke DPRD</strong> · %s" % stored in stages_of(page), stages_of(page)
        j = d.get("%s/usulan/%d" % (API, pid)).expect(200).json()
        assert j["dprd"][0]["day"] == stored and j["verification"]["valid"] is True, j
        row = [l for l in d.get(T + "/usulan").expect(200).text.splitlines() if titles[k] in l and "<tr>" in l]
        assert row and "Diajukan ke DPRD" in row[0], row
    # before the approval: the next stage is held to the approval, the later of the two
    pid = pids["before"]
    r = act(d, pid, "dprd", expect=400, stage="pembahasan", stage_day=day(-1))
    assert alert(r.text) == "tanggal tahap tidak boleh sebelum %s, tanggal usulan disetujui Kepala Daerah" % words(
        day()), alert(r.text)
    act(d, pid, "dprd", stage="pembahasan", stage_day=day())
    # after today: nothing can follow it until it is corrected, which the refusal says
    pid = pids["after"]
    r = act(d, pid, "dprd", expect=400, stage="pembahasan", stage_day=day())
    assert alert(r.text) == "tanggal tahap tidak boleh sebelum 31 Desember 2099, tanggal tahap sebelumnya " \
                            "(Diajukan ke DPRD)", alert(r.text)
    fix(d, pid, stage="diajukan", stage_day=day(), reason="Tahun salah ketik")
    act(d, pid, "dprd", stage="pembahasan", stage_day=day())
