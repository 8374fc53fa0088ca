"""
test_governance_perda.py: after the DPRD approves a Raperda (its stage "Disetujui DPRD", the joint
approval), the Kepala Daerah enacts the Perda (penetapan: a signed step, numbered "Peraturan Daerah
Kota Mataram Nomor N Tahun Y") and the Sekda promulgates it in the Lembaran Daerah (pengundangan: a
signed step, numbered "Lembaran Daerah Kota Mataram Tahun Y Nomor N"), each dated no later than the
Pemda's today and no earlier than the act before it. The proposal's page, the inboxes ("menunggu
penetapan", "menunggu pengundangan"), the JSON API, the verification page and the public JDIH register
show both; 30 days after the joint approval without enactment the head's inbox and the page warn.
Every refusal (wrong role, out of order, a bad date, a stale version) is a 4xx with an Indonesian
message, audited, and stores nothing. The deadline sweep reminds the head and the Sekda 7 days
before the 30 days lapse and once they have, and the Sekda of an enactment waiting 7 days for its
promulgation, each once however many instances sweep; the decision's PDF prints both numbers and
their dates.
"""
import re
import threading

from test_governance import act, actors, create, csrf, day, decided, login, words
from test_governance_dprd_dates import alert, api_act, refusals
from test_governance_dprd_fix import API, T, count, form_of, version_of
from harness import check_sigap, pdf_text

PERDA = re.compile(r"^Peraturan Daerah Kota Mataram Nomor (\d+) Tahun (\d{4})$")
LEMBARAN = re.compile(r"^Lembaran Daerah Kota Mataram Tahun (\d{4}) Nomor (\d+)$")


def approved_by_dprd(env, a, title):
    """A Raperda approved by the head and then by the DPRD, all today. Returns its id."""
    pid = decided(env, a, title, needs_dprd=True)
    for stage in ("diajukan", "pembahasan", "disetujui"):
        act(a["sekda"], pid, "dprd", stage=stage, stage_day=day())
    return pid


def stored(db, pid):
    return (count(db, "SELECT COUNT(*) FROM governance_perda WHERE proposal_id = %d" % pid),
            count(db, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'governance.perda%%' "
                      "AND object = 'proposal:%d'" % pid))


def inbox_of(c):
    return c.get("%s/usulan" % API).expect(200).json()["proposals"]


def test_a_perda_is_enacted_then_promulgated_and_everyone_sees_it(env):
    db = env.shared_db
    a = actors(env)
    s, kd, opd, d = a["sekda"], a["kepala_daerah"], a["kepala_opd"], login(env, "dprd")
    title = "Raperda penetapan e2e"
    pid = decided(env, a, title, needs_dprd=True)
    # before the DPRD's approval there is nothing to enact
    api_act(kd, pid, 409, action="penetapan", day=day(), passphrase="sigap-demo-2026").expect_json_error(
        409, code="conflict", message="Perda baru dapat ditetapkan setelah Raperda disetujui bersama DPRD")
    for stage in ("diajukan", "pembahasan", "disetujui"):
        act(s, pid, "dprd", stage=stage, stage_day=day())
    # waiting for the head: the inbox says so, the page has the form with its dates
    item = [x for x in inbox_of(kd) if x["id"] == pid]
    assert item and item[0]["perda_stage"] == "" and item[0]["perda_due"] == day(30) and \
        item[0]["perda_late"] is False, item
    page = kd.get("%s/usulan" % T).expect(200).text
    line = [l for l in page.split("<li") if title in l and "/usulan/%d\"" % pid in l]
    assert line and "menunggu penetapan" in line[0] and words(day(30)) in line[0], line
    page = kd.get("%s/usulan/%d" % (T, pid)).expect(200).text
    form = form_of(page, "form-penetapan")
    for attr in ('value="%s"' % day(), 'min="%s"' % day(), 'max="%s"' % day()):
        assert attr in form, (attr, form)
    assert 'href="#form-penetapan"' in page and "menunggu penetapan" in page
    assert "form-pengundangan" not in s.get("%s/usulan/%d" % (T, pid)).text
    # enacted on the web form: signed, numbered
    act(kd, pid, "penetapan", day=day(), note="ditandatangani di ruang kerja")
    j = kd.get("%s/usulan/%d" % (API, pid)).expect(200).json()
    assert j["perda_stage"] == "ditetapkan" and j["verification"]["valid"] is True, j
    enacted = j["perda_enacted"]
    m = PERDA.match(enacted["number"])
    assert m and enacted["day"] == day() and enacted["actor"] == "kepala_daerah", enacted
    assert enacted["regno"] == "52.71/PERDA/%s/%06d" % (m.group(2), int(m.group(1))), enacted
    assert [x["kind"] for x in j["steps"]][-2:] == ["keputusan", "penetapan"], j["steps"]
    assert pid not in [x["id"] for x in inbox_of(kd)]
    # the Sekda's turn: the inbox, the page
    item = [x for x in inbox_of(s) if x["id"] == pid]
    assert item and item[0]["perda_stage"] == "ditetapkan" and item[0]["perda_label"] == "menunggu pengundangan", item
    page = s.get("%s/usulan/%d" % (T, pid)).expect(200).text
    assert enacted["number"] in page and 'min="%s"' % day() in form_of(page, "form-pengundangan")
    # promulgated through the JSON API (a session: it signs)
    r = api_act(s, pid, 200, action="pengundangan", day=day(), passphrase="sigap-demo-2026",
                version=version_of(s, pid)).json()
    lm = LEMBARAN.match(r["number"])
    assert lm and r["state"] == "disetujui", r
    j = s.get("%s/usulan/%d" % (API, pid)).expect(200).json()
    assert j["perda_stage"] == "diundangkan" and j["perda_promulgated"]["number"] == r["number"], j
    assert j["perda_promulgated"]["regno"] == "52.71/LD/%s/%06d" % (lm.group(1), int(lm.group(2)))
    assert j["verification"] == {"valid": True, "steps": 6, "problem": ""}, j["verification"]
    assert pid not in [x["id"] for x in inbox_of(s)]
    # everyone who follows it reads both numbers
    for c in (opd, d, kd):
        page = c.get("%s/usulan/%d" % (T, pid)).expect(200).text
        assert enacted["number"] in page and r["number"] in page and "Perda diundangkan" in page, page[-3000:]
    # the public register and the verification page
    pub = env.client()
    reg = pub.get("%s/keputusan?q=%s" % (API, "penetapan")).expect(200).json()["decisions"]
    hit = [x for x in reg if x["id"] == pid]
    assert hit and hit[0]["perda"] == {"number": enacted["number"], "day": day()} and \
        hit[0]["lembaran"] == {"number": r["number"], "day": day()}, hit
    page = pub.get("%s/jdih?q=%s" % (T, "penetapan+Nomor+%s+Tahun" % m.group(1))).expect(200).text
    assert enacted["number"] in page and r["number"] in page, page
    v = pub.get("%s/verifikasi/%s" % (API, hit[0]["token"])).expect(200).json()
    assert v["valid"] is True and v["perda"]["number"] == enacted["number"] and \
        [x["step"] for x in v["signers"]][-2:] == ["penetapan", "pengundangan"], v
    assert "Pengundangan Perda oleh Sekda" in pub.get("%s/verifikasi/%s" % (T, hit[0]["token"])).text
    # audited and heard of
    assert stored(db, pid) == (2, 2)
    assert count(db, "SELECT COUNT(*) FROM notifications WHERE object = 'proposal:%d' AND message = "
                     "'Perda telah diundangkan'" % pid) == 3


def test_a_promulgated_perda_is_listed_even_if_the_decision_was_not_published(env):
    """The head's decision was not published in the JDIH; the Perda, once promulgated, is public by law."""
    a = actors(env)
    pid = create(a["kepala_opd"], "Raperda tertutup e2e", needs_dprd=True, public=False)
    act(a["kepala_opd"], pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict="setuju")
    act(a["wakil"], pid, "pertimbangan", verdict="setuju", note="setuju")
    act(a["kepala_daerah"], pid, "keputusan", verdict="setuju")
    pub = env.client()
    for stage in ("diajukan", "pembahasan", "disetujui"):
        act(a["sekda"], pid, "dprd", stage=stage, stage_day=day())
    act(a["kepala_daerah"], pid, "penetapan", day=day())
    assert pub.get("%s/keputusan?q=tertutup" % API).expect(200).json()["decisions"] == []
    act(a["sekda"], pid, "pengundangan", day=day())
    reg = pub.get("%s/keputusan?q=tertutup" % API).expect(200).json()["decisions"]
    assert [x["id"] for x in reg] == [pid] and "lembaran" in reg[0], reg


def test_numbers_are_sequential_per_year_and_unique(env):
    db = env.shared_db
    a = actors(env)
    kd, s = a["kepala_daerah"], a["sekda"]
    pids = [approved_by_dprd(env, a, "Raperda nomor urut %d e2e" % i) for i in range(2)]
    perda, lembaran = [], []
    for pid in pids:
        r = api_act(kd, pid, 200, action="penetapan", day=day(), passphrase="sigap-demo-2026").json()
        perda.append(int(PERDA.match(r["number"]).group(1)))
    for pid in reversed(pids):  # promulgated in the other order: the Lembaran Daerah numbers its own way
        r = api_act(s, pid, 200, action="pengundangan", day=day(), passphrase="sigap-demo-2026").json()
        lembaran.append(int(LEMBARAN.match(r["number"]).group(2)))
    assert perda[1] == perda[0] + 1 and lembaran[1] == lembaran[0] + 1, (perda, lembaran)
    year = day()[:4]
    assert count(db, "SELECT COUNT(*) FROM governance_perda WHERE act = 'penetapan' AND year = %s" % year) == \
        count(db, "SELECT COUNT(DISTINCT seq) FROM governance_perda WHERE act = 'penetapan' AND year = %s" % year)
    assert count(db, "SELECT value FROM sequences WHERE tenant = '52.71' AND kind = 'LD' AND year = %s" % year) == \
        max(lembaran)


def test_a_role_that_may_not_act_gets_403_whatever_date_it_sends(env):
    """Least privilege: the role is checked before the form's fields. A date that is no date (or
    none) from a role that may not take the action was answered 400 "... harus berformat
    YYYY-MM-DD", telling it what the form wants; now 403 as with a good date, on the page and in the
    API, for the enactment, the promulgation, a DPRD stage and its correction. Who may act still
    hears what is wrong with the date (400), audited as every refusal of the module."""
    db = env.shared_db
    a = actors(env)
    s, kd, w, opd, d = a["sekda"], a["kepala_daerah"], a["wakil"], a["kepala_opd"], login(env, "dprd")
    pid = approved_by_dprd(env, a, "Raperda tanggal dan peran e2e")
    role = "peran Anda tidak berwenang melakukan tindakan ini"
    n = refusals(db, pid)
    for bad in ({"day": "13-01-2026"}, {"day": "kemarin"}, {}):
        for c in (s, w, d, opd):
            api_act(c, pid, 403, action="penetapan", **bad).expect_json_error(403, message=role)
        api_act(kd, pid, 403, action="pengundangan", **bad).expect_json_error(403, message=role)
    for bad in ({"stage_day": "13-01-2026"}, {}):
        for c in (w, kd, opd):
            api_act(c, pid, 403, action="dprd", stage="disetujui", **bad).expect_json_error(403, message=role)
            api_act(c, pid, 403, action="koreksi_dprd", stage="ditolak", reason="salah", version=version_of(s, pid),
                    **bad).expect_json_error(403, message=role)
    # the web form: the proposal's page with the 403's words, not the date's
    r = act(w, pid, "penetapan", expect=403, day="13-01-2026")
    assert alert(r.text) == role, alert(r.text)
    r = act(kd, pid, "dprd", expect=403, stage="disetujui", stage_day="31/12/2026")
    assert alert(r.text) == role, alert(r.text)
    # a citizen is not told either
    c = login(env, "warga")
    r = c.post_form("%s/usulan/%d/tindakan" % (T, pid), {"_csrf": csrf(c), "action": "penetapan",
                                                          "day": "13-01-2026", "passphrase": "x"})
    assert r.status == 403 and "berformat" not in r.text, r.describe()
    # each refusal audited: 3 x 5 enactments and promulgations, 2 x 3 x 2 stages and corrections,
    # 2 forms, the citizen's
    assert refusals(db, pid) == n + 3 * 5 + 2 * 3 * 2 + 2 + 1, (refusals(db, pid), n)
    # who may act hears what is wrong with the date, the message as before, now audited too
    n = refusals(db, pid)
    api_act(kd, pid, 400, action="penetapan", day="13-01-2026", passphrase="sigap-demo-2026").expect_json_error(
        400, message="tanggal harus berformat YYYY-MM-DD")
    r = act(kd, pid, "penetapan", expect=400, day="")
    assert alert(r.text) == "tanggal harus berformat YYYY-MM-DD", alert(r.text)
    api_act(s, pid, 400, action="koreksi_dprd", stage="disetujui", stage_day="13-01-2026", reason="salah ketik",
            version=version_of(s, pid)).expect_json_error(400, message="tanggal tahap harus berformat YYYY-MM-DD")
    assert refusals(db, pid) == n + 3
    assert stored(db, pid) == (0, 0)


def test_refusals_are_clear_audited_and_store_nothing(env):
    db = env.shared_db
    a = actors(env)
    s, kd, w, opd, d = a["sekda"], a["kepala_daerah"], a["wakil"], a["kepala_opd"], login(env, "dprd")
    pid = approved_by_dprd(env, a, "Raperda penolakan e2e")
    n = refusals(db, pid)
    role = "peran Anda tidak berwenang melakukan tindakan ini"
    # the wrong role, each way
    for c in (s, w, d, opd):
        api_act(c, pid, 403, action="penetapan", day=day()).expect_json_error(403, message=role)
    api_act(kd, pid, 403, action="pengundangan", day=day()).expect_json_error(403, message=role)
    # out of order: promulgated before it is enacted
    api_act(s, pid, 409, action="pengundangan", day=day(), passphrase="sigap-demo-2026").expect_json_error(
        409, code="conflict", message="Perda baru dapat diundangkan setelah ditetapkan Kepala Daerah")
    # bad dates: after today, before the joint approval, no date at all
    future = "tanggal tidak boleh di masa depan: paling lambat hari ini, %s" % words(day())
    early = "tanggal penetapan tidak boleh sebelum %s, tanggal persetujuan bersama DPRD" % words(day())
    r = act(kd, pid, "penetapan", expect=400, day=day(1), note="catatan penetapan")
    assert alert(r.text) == future, alert(r.text)
    form = form_of(r.text, "form-penetapan")
    assert 'value="%s"' % day(1) in form and "catatan penetapan" in form, form
    api_act(kd, pid, 400, action="penetapan", day=day(-1), passphrase="sigap-demo-2026").expect_json_error(
        400, code="invalid", message=early)
    api_act(kd, pid, 400, action="penetapan", day="13-01-2026").expect_json_error(
        400, message="tanggal harus berformat YYYY-MM-DD")
    # a stale version, a wrong passphrase
    v = version_of(kd, pid)
    api_act(kd, pid, 409, action="penetapan", day=day(), passphrase="sigap-demo-2026", version=v - 1)
    api_act(kd, pid, 403, action="penetapan", day=day(), passphrase="salah-sekali-2026").expect_json_error(
        403, message="frasa sandi kunci tanda tangan salah")
    assert stored(db, pid) == (0, 0)
    assert count(db, "SELECT COUNT(*) FROM governance_steps WHERE proposal_id = %d" % pid) == 4
    # English
    e = kd.post_json("%s/usulan/%d/tindakan" % (API, pid), {"action": "penetapan", "day": day(1)},
                     headers={"X-CSRF-Token": csrf(kd), "Accept-Language": "en"}).expect_json_error(400)
    assert e["message"].startswith("the date cannot be in the future: today, "), e
    # enacted; then a second enactment, a promulgation before the enactment's date, a DPRD correction
    act(kd, pid, "penetapan", day=day())
    api_act(kd, pid, 409, action="penetapan", day=day(), passphrase="sigap-demo-2026").expect_json_error(
        409, message="Perda sudah ditetapkan")
    api_act(s, pid, 400, action="pengundangan", day=day(-1), passphrase="sigap-demo-2026").expect_json_error(
        400, message="tanggal pengundangan tidak boleh sebelum %s, tanggal penetapan Perda" % words(day()))
    api_act(s, pid, 409, action="koreksi_dprd", stage="ditolak", stage_day=day(), reason="salah pilih",
            version=version_of(s, pid)).expect_json_error(
        409, message="tahap DPRD tidak dapat dikoreksi lagi: Perda sudah ditetapkan")
    act(s, pid, "pengundangan", day=day())
    api_act(s, pid, 409, action="pengundangan", day=day(), passphrase="sigap-demo-2026").expect_json_error(
        409, message="Perda sudah diundangkan")
    assert stored(db, pid) == (2, 2)
    # (the date that is no date among them: refused by the module now, after its role check)
    assert refusals(db, pid) == n + 16, refusals(db, pid) - n
    # a proposal without the DPRD
    other = decided(env, a, "Usulan tanpa DPRD e2e")
    api_act(kd, other, 409, action="penetapan", day=day()).expect_json_error(
        409, message="usulan ini tidak memerlukan persetujuan DPRD")


def test_thirty_days_after_the_joint_approval_the_head_is_warned(env):
    db = env.shared_db
    a = actors(env)
    kd = a["kepala_daerah"]
    pid = approved_by_dprd(env, a, "Raperda terlambat e2e")
    # the joint approval 31 days ago (dated in the past in the database, as other tests do)
    old = day(-31)
    db.sql("UPDATE governance_dprd SET stage_day = '%s' WHERE proposal_id = %d" % (old, pid))
    item = [x for x in inbox_of(kd) if x["id"] == pid]
    assert item and item[0]["perda_late"] is True and item[0]["perda_due"] == day(-1), item
    warn = "lewat 30 hari sejak persetujuan bersama DPRD: Perda belum ditetapkan (batas %s)" % words(day(-1))
    page = kd.get("%s/usulan" % T).expect(200).text
    assert warn in page, page
    page = kd.get("%s/usulan/%d" % (T, pid)).expect(200).text
    assert 'id="perda-late"' in page and warn in page
    assert kd.get("%s/usulan/%d" % (API, pid)).expect(200).json()["perda_late"] is True
    # late is still allowed (the Perda is then in force without the signature, UU 12/2011 art. 79), and the
    # warning goes
    act(kd, pid, "penetapan", day=day())
    assert "perda-late" not in kd.get("%s/usulan/%d" % (T, pid)).text


def test_the_heads_dashboard_counts_the_thirty_days_as_a_deadline(env):
    """The leaders' dashboard said how many items waited and the nearest deadline, from the decisions'
    deadlines only: a Raperda the DPRD approved, whose 30 days for the enactment ran out, counted as
    waiting but neither as late nor as a deadline. Now its last day is one, and late once passed."""
    from test_governance_followup import card, nearest
    db = env.shared_db
    a = actors(env)
    kd = a["kepala_daerah"]
    pid = approved_by_dprd(env, a, "Raperda dasbor e2e")
    label = "Usulan menunggu keputusan"
    try:
        # the last day is 30 days on: a deadline, not (yet) late
        day_, _ = nearest(kd)
        got = card(kd, label)
        assert "tenggat terdekat %s" % words(day_) in got, got
        late_before = [x["id"] for x in inbox_of(kd) if x["overdue"] or x.get("perda_late")]
        assert pid not in late_before
        # the joint approval 31 days ago: its last day was yesterday, so it is late and the nearest deadline
        db.sql("UPDATE governance_dprd SET stage_day = '%s' WHERE proposal_id = %d" % (day(-31), pid))
        late = [x["id"] for x in inbox_of(kd) if x["overdue"] or x.get("perda_late")]
        assert pid in late, late
        day_, _ = nearest(kd)
        assert day_ <= day(-1), day_
        got = card(kd, label)
        assert "tenggat terdekat %s (terlambat" % words(day_) in got and "%d lewat tenggat" % len(late) in got, got
    finally:
        act(kd, pid, "penetapan", day=day())  # enacted: it leaves the inbox of the tests that follow


class On:
    """The helpers of test_governance (login, actors) on a server of the test's own."""

    def __init__(self, srv):
        self.client = srv.client


def sweep(db, instances=1):
    """`sigap sweep` run by several instances at once; the notifications the governance sweep queued."""
    out = []

    def one():
        out.append(check_sigap(["sweep"], db=db).stdout)

    threads = [threading.Thread(target=one) for _ in range(instances)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == instances, out
    return sum(int(re.search(r"governance\.deadline_sweep: (\d+)", o).group(1)) for o in out)


def told(db, pid, kind):
    return sorted(r[0] for r in db.sql("SELECT role FROM notifications WHERE object = 'proposal:%d' AND kind = '%s'"
                                       % (pid, kind)))


def test_the_sweep_reminds_before_and_after_the_thirty_days_and_of_the_promulgation(env):
    """Time moved by dating the joint approval and the enactment back in the database (a server of
    its own, which does not sweep: `sigap sweep` does, twice at once)."""
    db = env.new_db()
    srv = env.start_server(db, args=["--sweep-interval", "0"])
    a = actors(On(srv))
    s, kd = a["sekda"], a["kepala_daerah"]
    title = "Raperda pengingat e2e"
    pid = approved_by_dprd(env, a, title)
    sweep(db)  # whatever the demo's proposals are due for
    v = version_of(kd, pid)
    assert sweep(db, 2) == 0 and told(db, pid, "governance.perda_due") == []
    # approved 22 days ago: 8 days left, nothing yet; 23 days ago: 7 days left, both told, once
    db.sql("UPDATE governance_dprd SET stage_day = '%s' WHERE proposal_id = %d AND stage = 'disetujui'" % (day(-22), pid))
    assert sweep(db, 2) == 0
    db.sql("UPDATE governance_dprd SET stage_day = '%s' WHERE proposal_id = %d AND stage = 'disetujui'" % (day(-23), pid))
    assert sweep(db, 2) == 2
    assert sweep(db, 2) == 0
    assert told(db, pid, "governance.perda_due") == ["kepala_daerah", "sekda"]
    due = "Perda menunggu penetapan: batas 30 hari sejak persetujuan bersama DPRD tinggal 7 hari lagi atau kurang"
    for c in (s, kd):
        assert "%s: %s" % (due, title) in c.get(T + "/dasbor").expect(200).text
    english = kd.get(T + "/dasbor", headers={"Accept-Language": "en"}).expect(200).text
    assert "A regional regulation awaits enactment: 7 days or fewer are left of the 30 days since the joint " \
        "approval with the DPRD: %s" % title in english, english[:3000]
    # the limit passed: told once more
    db.sql("UPDATE governance_dprd SET stage_day = '%s' WHERE proposal_id = %d AND stage = 'disetujui'" % (day(-31), pid))
    assert sweep(db, 2) == 2
    assert sweep(db) == 0
    assert told(db, pid, "governance.perda_overdue") == ["kepala_daerah", "sekda"]
    assert "Perda belum ditetapkan: batas 30 hari sejak persetujuan bersama DPRD telah lewat: %s" % title in \
        kd.get(T + "/dasbor").text
    # the reminders changed nothing the head's form has seen
    assert version_of(kd, pid) == v
    # enacted (late); its promulgation waits: the Sekda is reminded once it has waited 7 days
    act(kd, pid, "penetapan", day=day())
    assert sweep(db) == 0
    db.sql("UPDATE governance_perda SET created_at = created_at - 6 * 86400 WHERE proposal_id = %d" % pid)
    assert sweep(db, 2) == 0
    db.sql("UPDATE governance_perda SET created_at = created_at - 86400 WHERE proposal_id = %d" % pid)
    assert sweep(db, 2) == 1
    assert told(db, pid, "governance.perda_promulgate_due") == ["sekda"]
    assert "Perda yang ditetapkan 7 hari lalu atau lebih belum diundangkan: %s" % title in s.get(T + "/dasbor").text
    # promulgated: nothing more
    act(s, pid, "pengundangan", day=day())
    db.sql("UPDATE governance_perda SET created_at = created_at - 30 * 86400 WHERE proposal_id = %d" % pid)
    assert sweep(db) == 0
    assert count(db, "SELECT COUNT(*) FROM notifications WHERE object = 'proposal:%d' AND kind LIKE "
                     "'governance.perda_%%'" % pid) == 5


def test_the_decision_pdf_names_the_perda_and_the_lembaran_daerah(env):
    a = actors(env)
    s, kd = a["sekda"], a["kepala_daerah"]
    pid = approved_by_dprd(env, a, "Raperda PDF e2e")
    pub = env.client()
    page = kd.get("%s/usulan/%d" % (T, pid)).expect(200).text
    token = re.search(r"/verifikasi/([0-9a-f]{32})", page).group(1)
    url = "%s/verifikasi/%s/pdf" % (T, token)
    pdf = pdf_text(pub.get(url).expect(200, ctype="application/pdf").body)
    assert "Peraturan Daerah" not in pdf and "Lembaran Daerah" not in pdf, pdf[:3000]
    number = api_act(kd, pid, 200, action="penetapan", day=day(), passphrase="sigap-demo-2026").json()["number"]
    pdf = pdf_text(pub.get(url).expect(200).body)
    for text in ("Penetapan dan pengundangan Perda", number, "Tanggal penetapan", words(day()), "belum diundangkan"):
        assert text in pdf, (text, pdf[:4000])
    assert "Tanggal pengundangan" not in pdf
    lembaran = api_act(s, pid, 200, action="pengundangan", day=day(), passphrase="sigap-demo-2026").json()["number"]
    # the English reader's PDF is the Pemda's Indonesian document too
    pdf = pdf_text(pub.get(url, headers={"Accept-Language": "en"}).expect(200).body)
    for text in (number, "Tanggal penetapan", lembaran, "Tanggal pengundangan", words(day())):
        assert text in pdf, (text, pdf[:4000])
    assert "belum diundangkan" not in pdf and "Date of" not in pdf
    # the numbers before the chain of signatures, which names both signers (its labels wrap)
    assert pdf.index(lembaran) < pdf.index("Rangkaian tanda tangan elektronik") < pdf.index("(Pengundangan Perda oleh")
