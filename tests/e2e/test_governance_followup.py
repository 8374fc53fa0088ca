"""
test_governance_followup.py: what "A month of governance, walked through" (docs/governance.md) left,
fixed. A pokok pikiran of the DPRD that the OPD would not take up stayed a draft for ever: the kepala
OPD now declines it, signed, with a reason the DPRD member reads on its page and in the notification;
the admin OPD who drafted a proposal heard of its return and its decision only from the inbox; after
an attachment was saved to a draft the notice offered "Berikutnya menunggu Anda" another item while
the drafter was still on this one; the leaders' dashboard counted what waited without the nearest
deadline; a yes/no field that was neither was refused with 400 before the role check (who may not
act was told what the form wants).
"""
import datetime
import html
import re

from harness import TENANT, unique
from test_governance import (BASE, PDF, WITA, act, actors, create, csrf, login, multipart, refused_count, words)
from test_governance_advice import at_head
from test_governance_notes import notes
from test_leaders_day import section

API = "/api/v1/t/%s" % TENANT


def text(fragment):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", fragment))).strip()


def version_of(c, pid):
    return c.get("%s/usulan/%d" % (API, pid)).expect(200).json()["version"]


def pokir(dprd, title, unit="DISDUKCAPIL"):
    form = dprd.get(BASE + "/pokir").expect(200)
    r = dprd.post_form(BASE + "/pokir", {"_csrf": form.csrf(), "unit": unit, "title": title,
                                         "background": "Warga lansia sulit datang ke kantor",
                                         "proposed": "Layanan keliling"}).expect(303)
    return int(r.header("location").rsplit("/", 1)[1])


def told(c, fragment):
    """The dashboard's notifications that contain fragment."""
    return [t for _, t in notes(c) if fragment in html.unescape(t)]


# ------------------------------------------------------------------ a pokok pikiran declined

def test_a_pokok_pikiran_the_opd_will_not_take_up_is_declined_with_a_reason_the_dprd_reads(env):
    a = actors(env)
    opd, dprd, admin_opd = a["kepala_opd"], login(env, "dprd"), login(env, "admin_opd")
    title = "Pokir jalan lingkungan %s" % unique("pk")
    pid = pokir(dprd, title)
    refused = refused_count(env)
    # only the kepala OPD has the form; an admin OPD (who may edit it) and the DPRD do not
    page = opd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    assert 'id="form-tolak-pokir"' in page and 'name="action" value="tolak_pokir"' in page, page
    assert 'id="form-tolak-pokir"' not in admin_opd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    assert 'id="form-tolak-pokir"' not in dprd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    # who may not decline: 403 whatever they send; the refusals audited
    act(admin_opd, pid, "tolak_pokir", expect=403, note="bukan kewenangan kami")
    act(dprd, pid, "tolak_pokir", expect=403, note="x")
    act(a["sekda"], pid, "tolak_pokir", expect=403, note="x")
    # no reason (blanks are none), and a stale form
    r = act(opd, pid, "tolak_pokir", expect=400, note="  \r\n ", version=str(version_of(opd, pid)))
    assert "tuliskan alasan pokok pikiran ini tidak ditindaklanjuti" in r.text
    act(opd, pid, "tolak_pokir", expect=409, note="anggaran habis", version=str(version_of(opd, pid) + 1))
    assert refused_count(env) == refused + 5
    assert dprd.get("%s/usulan/%d" % (API, pid)).expect(200).json()["state"] == "draf"
    # declined, signed
    reason = "Jalan lingkungan kewenangan Dinas PUPR, bukan Disdukcapil; mohon disampaikan ke PUPR."
    r = act(opd, pid, "tolak_pokir", note=reason, version=str(version_of(opd, pid)))
    assert r.header("location").endswith("/usulan/%d?ok=1" % pid), r.header("location")
    # the DPRD reads its state and the reason at the top of its page
    page = dprd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    assert text(re.search(r'id="state">([^<]*)<', page).group(1)) == "Tidak ditindaklanjuti OPD", page[:3000]
    declined = text(section(page, "declined"))
    assert "Tidak ditindaklanjuti OPD" in declined and reason in declined, declined
    assert page.index('id="declined"') < page.index("Isi usulan"), page[:3000]
    assert "Semua tanda tangan sah." in page and "Tidak ditindaklanjuti Kepala OPD" in page
    # and in its notification, with the title
    got = told(dprd, "Pokok pikiran DPRD tidak ditindaklanjuti OPD: %s" % title)
    assert len(got) == 1 and reason[:60] in html.unescape(got[0]), notes(dprd)[:5]
    # in English
    en = dprd.get("%s/usulan/%d" % (BASE, pid), headers={"Accept-Language": "en"}).expect(200).text
    assert "Not taken up by the agency" in en, en[:3000]
    # its state in the DPRD's list and the API; the chain verifies
    j = dprd.get("%s/usulan/%d" % (API, pid)).expect(200).json()
    assert j["state"] == "tidak_ditindaklanjuti" and j["verification"]["valid"] is True, j
    assert [(s["kind"], s["role"], s["note"]) for s in j["steps"]] == [("tolak_pokir", "kepala_opd", reason)], j
    listed = [p for p in dprd.get(API + "/usulan?all=1").expect(200).json()["proposals"] if p["id"] == pid]
    assert listed and listed[0]["state"] == "tidak_ditindaklanjuti", listed
    # audited with the reason
    rows = env.shared_db.sql("SELECT actor, summary FROM audit_log WHERE action = 'governance.step' "
                             "AND object = 'proposal:%d' AND summary LIKE 'tolak_pokir %%'" % pid)
    assert len(rows) == 1 and rows[0][0] == "kepala_opd" and "kewenangan Dinas PUPR" in rows[0][1], rows
    # final: no edit, no attachment, no submission, no second decline; the OPD's inbox no longer holds it
    act(opd, pid, "tolak_pokir", expect=409, note="lagi")
    act(opd, pid, "ajukan", expect=409).expect(409, contains="tidak ditindaklanjuti OPD")
    opd.get("%s/usulan/%d/ubah" % (BASE, pid)).expect(409)
    assert title not in section(opd.get(BASE + "/usulan").expect(200).text, "inbox")
    # the leadership never opens a pokok pikiran the OPD declined before submitting it
    a["sekda"].get("%s/usulan/%d" % (BASE, pid)).expect(403)
    assert not [p for p in a["sekda"].get(API + "/usulan?all=1").expect(200).json()["proposals"] if p["id"] == pid]
    # an OPD's own draft is not a pokok pikiran: nothing to decline
    own = create(opd, "Draf OPD sendiri %s" % unique("pk"))
    act(opd, own, "tolak_pokir", expect=409, note="x").expect(409, contains="hanya pokok pikiran DPRD")
    # a pokok pikiran the OPD took up (submitted) can no longer be declined
    taken = pokir(dprd, "Pokir diajukan %s" % unique("pk"))
    act(opd, taken, "ajukan")
    act(opd, taken, "tolak_pokir", expect=409, note="x")


# ------------------------------------------------------------------ the drafter told

def test_the_admin_opd_who_drafted_a_proposal_hears_of_its_return_and_its_decision(env):
    a = actors(env)
    admin_opd, opd = login(env, "admin_opd"), a["kepala_opd"]
    title = "Usulan admin OPD %s" % unique("dr")
    pid = create(admin_opd, title)
    act(opd, pid, "ajukan")
    act(a["sekda"], pid, "kembalikan", note="Lengkapi data antrean.")
    assert len(told(admin_opd, "Usulan dikembalikan untuk perbaikan: %s" % title)) == 1, notes(admin_opd)[:5]
    # the kepala OPD is told once, not twice
    assert len(told(opd, "Usulan dikembalikan untuk perbaikan: %s" % title)) == 1, notes(opd)[:5]
    act(opd, pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict="setuju", note="ok")
    act(a["wakil"], pid, "pertimbangan", verdict="setuju", note="ok")
    act(a["kepala_daerah"], pid, "keputusan", verdict="setuju", note="laksanakan", is_public="1")
    assert len(told(admin_opd, "Usulan disetujui Kepala Daerah: %s" % title)) == 1, notes(admin_opd)[:5]
    assert len(told(opd, "Usulan disetujui Kepala Daerah: %s" % title)) == 1, notes(opd)[:5]
    # what the kepala OPD drafted: the role's notification only, nothing addressed to them besides
    own = "Usulan kepala OPD %s" % unique("dr")
    pid2 = create(opd, own)
    act(opd, pid2, "ajukan")
    act(a["sekda"], pid2, "kembalikan", note="Perbaiki.")
    assert len(told(opd, "Usulan dikembalikan untuk perbaikan: %s" % own)) == 1, notes(opd)[:5]
    rows = env.shared_db.sql("SELECT COUNT(*) FROM notifications WHERE object = 'proposal:%d' AND user_id <> 0" % pid2)
    assert int(rows[0][0]) == 0, rows
    # a drafter no longer an official of the OPD hears nothing more (disabled here)
    pid3 = create(admin_opd, "Usulan lama %s" % unique("dr"))
    env.shared_db.sql("UPDATE users SET disabled = 1 WHERE tenant = '%s' AND username = 'admin_opd'" % TENANT)
    try:
        act(opd, pid3, "ajukan")
        act(a["sekda"], pid3, "kembalikan", note="Perbaiki.")
        rows = env.shared_db.sql("SELECT COUNT(*) FROM notifications WHERE object = 'proposal:%d' AND user_id <> 0"
                                 % pid3)
        assert int(rows[0][0]) == 0, rows
    finally:
        env.shared_db.sql("UPDATE users SET disabled = 0 WHERE tenant = '%s' AND username = 'admin_opd'" % TENANT)


# ------------------------------------------------------------------ the next item, when it makes sense

def test_the_next_item_is_offered_only_once_the_readers_part_is_done(env):
    a = actors(env)
    c = a["kepala_opd"]
    pid = create(c, "Usulan berlampiran %s" % unique("nx"))
    create(c, "Usulan berikutnya %s" % unique("nx"))  # another draft waits for the OPD
    body, ctype = multipart({"_csrf": csrf(c), "version": str(version_of(c, pid))},
                            {"file": ("kajian.pdf", "application/pdf", PDF + b"%" + unique("nx").encode())})
    r = c.request("POST", "%s/usulan/%d/lampiran" % (BASE, pid), body=body, headers={"Content-Type": ctype})
    r.expect(303)
    assert r.header("location").endswith("?ok=simpan"), r.header("location")
    page = c.get(r.header("location")).expect(200).text
    assert 'role="status">tersimpan' in page, page[:3000]
    assert 'id="next"' not in page, page[:3000]
    # submitted (signed): this one is done, the next is offered
    r = act(c, pid, "ajukan")
    page = c.get(r.header("location")).expect(200).text
    m = re.search(r'<a href="/t/[0-9.]+/usulan/(\d+)" id="next">Berikutnya menunggu Anda: ', page)
    assert m and int(m.group(1)) != pid, page[:3000]


# ------------------------------------------------------------------ the nearest deadline on the dashboard

def nearest(c):
    """The nearest deadline of what waits for c (its inbox), as the dashboard should say it: a decision's
    due_at, or for a Raperda the DPRD approved the last of its 30 days for the enactment (perda_due, to the
    end of that day in WITA)."""
    dues = []
    for p in c.get(API + "/usulan").expect(200).json()["proposals"]:
        if p["due_at"] > 0:
            dues.append(p["due_at"])
        elif p.get("perda_due"):
            end = datetime.datetime.combine(datetime.date.fromisoformat(p["perda_due"]), datetime.time(23, 59, 59),
                                            WITA)
            dues.append(int(end.timestamp()))
    due = min(dues)
    return datetime.datetime.fromtimestamp(due, WITA).date().isoformat(), due


def card(c, label, headers=None):
    page = c.get(BASE + "/dasbor", headers=headers).expect(200).text
    items = [li for li in page.split('<li class="card">') if label in li]
    assert items, page[:3000]
    return text(items[0].split("</li>")[0])


def test_the_leaders_dashboard_says_the_nearest_deadline_where_it_counts_what_waits(env):
    a = actors(env)
    title = "Tenggat dasbor %s" % unique("dl")
    pid = create(a["kepala_opd"], title)
    act(a["kepala_opd"], pid, "ajukan")
    for role, label in (("sekda", "Usulan menunggu saran Sekda"),):
        day_, _ = nearest(a[role])
        got = card(a[role], label)
        assert re.search(r"\d+ menunggu, tenggat terdekat %s \((\d+ hari kerja tersisa|batas waktunya hari ini|terlambat)" %
                         re.escape(words(day_)), got), got
    act(a["sekda"], pid, "saran", verdict="setuju", note="ok")
    day_, _ = nearest(a["wakil"])
    got = card(a["wakil"], "Usulan menunggu pertimbangan")
    assert "tenggat terdekat %s" % words(day_) in got, got
    act(a["wakil"], pid, "pertimbangan", verdict="setuju", note="ok")
    # overdue: the head's nearest is late, and the card says so
    env.shared_db.sql("UPDATE governance_proposals SET due_at = %d WHERE tenant = '%s' AND id = %d"
                      % (int(datetime.datetime.now().timestamp()) - 10 * 86400, TENANT, pid))
    day_, due = nearest(a["kepala_daerah"])
    got = card(a["kepala_daerah"], "Usulan menunggu keputusan")
    assert "tenggat terdekat %s (terlambat" % words(day_) in got and "lewat tenggat" in got, got
    en = card(a["kepala_daerah"], "Proposals awaiting decision", headers={"Accept-Language": "en"})
    assert "waiting, nearest deadline" in en and "overdue" in en, en
    # not for the OPD's card (its drafts have no deadline) nor the DPRD's
    assert "tenggat terdekat" not in card(a["kepala_opd"], "Usulan kebijakan OPD")


# ------------------------------------------------------------------ a yes/no field: the role first

def test_a_yes_no_field_that_is_neither_is_refused_after_the_role_check(env):
    a = actors(env)
    pid, _ = at_head(env, a, sekda="setuju", wakil="setuju")
    refused = refused_count(env)
    # roles that may not act: their 403, whatever the flag
    act(a["wakil"], pid, "keputusan", expect=403, verdict="setuju", note="x", is_public="tidak")
    act(a["sekda"], pid, "keputusan", expect=403, verdict="setuju", note="x", is_public="2")
    for user in ("sekda", "dprd", "warga"):
        c = login(env, user)
        r = c.post_form(BASE + "/usulan", {"_csrf": csrf(c), "kind": "usulan", "title": "Bendera %s" % user,
                                           "background": "latar", "urgency": "biasa", "is_public": "tidak"})
        assert r.status == 403, (user, r.status, r.text[:500])
        r = c.post_json(API + "/usulan", {"kind": "usulan", "title": "Bendera", "background": "latar",
                                          "urgency": "biasa", "needs_dprd": "no"}, headers={"X-CSRF-Token": csrf(c)})
        assert r.status == 403, (user, r.status, r.text[:500])
    # an edit by who is not of the OPD
    s = a["sekda"]
    r = s.post_form("%s/usulan/%d/ubah" % (BASE, pid), {"_csrf": csrf(s), "kind": "usulan", "title": "x",
                                                        "background": "x", "urgency": "biasa", "needs_dprd": "no"})
    assert r.status == 403, (r.status, r.text[:500])
    # who may act: 400, refused and audited, nothing signed, the note kept
    r = act(a["kepala_daerah"], pid, "keputusan", expect=400, verdict="setuju", note="catatan tetap", is_public="tidak")
    assert "is_public" in r.text and "catatan tetap" in r.text
    assert a["kepala_daerah"].get("%s/usulan/%d" % (API, pid)).expect(200).json()["state"] == "keputusan"
    r = a["kepala_opd"].post_form(BASE + "/usulan", {"_csrf": csrf(a["kepala_opd"]), "kind": "usulan",
                                                     "title": "Bendera OPD", "background": "latar", "urgency": "biasa",
                                                     "needs_dprd": "tidak"}).expect(400)
    assert "needs_dprd" in r.text and "Bendera OPD" in r.text
    after = refused_count(env)
    # the two decisions, the sekda's and dprd's drafts (a citizen may be turned away by the router), the
    # edit, and the two 400s
    assert after >= refused + 2 + 4 + 1 + 2, (refused, after)
    rows = env.shared_db.sql("SELECT summary FROM audit_log WHERE action = 'governance.refused' AND actor = "
                             "'kepala_daerah' ORDER BY seq DESC LIMIT 1")
    assert "is_public" in rows[0][0], rows
