"""
test_governance_advice.py: what a month of governance, walked through as the Sekda, the Wakil and the
Kepala Daerah on a phone, found about the honest disagreements and the news of a decision. The head's
form said only "Sekda telah memberi saran": what the Sekda recommended and the Wakil considered was
screens above it on a phone, in the signed chain, and the inbox did not say it at all; the head could
approve what the Sekda advised against without a word of why, and the decision's card did not say it
went against the advice; the Sekda and the Wakil heard nothing of the decision, and the OPD was told
"Keputusan Kepala Daerah telah ditetapkan" without the outcome; a Sekda's return read "Dikembalikan
Sekda ke OPD: Kembalikan" (page, verification page, PDF); a note of blanks passed for the note a
return, a consideration or a rejection must have; a pokok pikiran of the DPRD looked like any
draft of the OPD, with nothing of whom it came from.
"""
import html
import re

from harness import DEMO_PASSWORD, TENANT, pdf_text, unique
from test_governance import BASE, act, actors, create, login, refused_count
from test_governance_notes import notes
from test_leaders_day import section


def at_head(env, a, sekda="tidak_setuju", wakil="setuju"):
    """A proposal the Sekda advised on with sekda and the Wakil considered with wakil, waiting for the
    head; its id and title."""
    title = "Insentif kader %s" % unique("adv")
    pid = create(a["kepala_opd"], title)
    act(a["kepala_opd"], pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict=sekda, note="Anggaran 2027 sudah terkunci.")
    act(a["wakil"], pid, "pertimbangan", verdict=wakil, note="Layak; dapat dari BTT.")
    return pid, title


def state_of(c, pid):
    page = c.get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    return html.unescape(re.search(r'id="state">([^<]*)<', page).group(1))


def text(fragment):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", fragment))).strip()


def test_the_head_sees_the_advice_where_the_decision_is_made_and_in_the_inbox(env):
    a = actors(env)
    title = "Insentif kader %s" % unique("adv")
    pid = create(a["kepala_opd"], title)
    act(a["kepala_opd"], pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict="tidak_setuju", note="Anggaran 2027 sudah terkunci.")
    # the Wakil's form carries the Sekda's recommendation
    form = section(a["wakil"].get("%s/usulan/%d" % (BASE, pid)).expect(200).text, "form-pertimbangan")
    advice = text(section(form, "advice-sekda"))
    assert "Saran Sekda: Tidak setuju" in advice and "Anggaran 2027 sudah terkunci." in advice, form
    assert 'id="advice-wakil"' not in form and 'id="advice-split"' not in form, form
    act(a["wakil"], pid, "pertimbangan", verdict="setuju", note="Layak; dapat dari BTT.")
    # the head's form: both views, their disagreement, and that an approval needs its reason
    form = section(a["kepala_daerah"].get("%s/usulan/%d" % (BASE, pid)).expect(200).text, "form-keputusan")
    assert "Saran Sekda: Tidak setuju" in text(section(form, "advice-sekda")), form
    assert "Anggaran 2027 sudah terkunci." in section(form, "advice-sekda"), form
    assert "Pertimbangan Wakil: Setuju" in text(section(form, "advice-wakil")), form
    assert "Layak; dapat dari BTT." in section(form, "advice-wakil"), form
    assert "Sekda dan Wakil berbeda pandangan." in section(form, "advice-split"), form
    assert 'id="advice-reason"' in form, form
    # above the verdict the head chooses
    assert form.index('id="advice"') < form.index('name="verdict"'), form
    # the inbox says it before anything is opened
    inbox = section(a["kepala_daerah"].get(BASE + "/usulan").expect(200).text, "inbox")
    item = [li for li in inbox.split("<li") if title in li][0]
    assert "Saran Sekda: Tidak setuju · Pertimbangan Wakil: Setuju · berbeda pandangan" in text(item), item
    # in English too
    en = a["kepala_daerah"].get(BASE + "/usulan", headers={"Accept-Language": "en"}).expect(200).text
    item = [li for li in section(en, "inbox").split("<li") if title in li][0]
    assert "Regional Secretary's recommendation: Disagree" in text(item) and "views differ" in text(item), item
    # and the JSON API gives the codes
    j = a["kepala_daerah"].get("/api/v1/t/%s/usulan" % TENANT).expect(200).json()
    it = [p for p in j["proposals"] if p["id"] == pid][0]
    assert it["sekda_advice"] == "tidak_setuju" and it["wakil_view"] == "setuju", it

    # agreeing views: no warning, no reason asked for
    pid2, _ = at_head(env, a, sekda="setuju", wakil="setuju_catatan")
    form = section(a["kepala_daerah"].get("%s/usulan/%d" % (BASE, pid2)).expect(200).text, "form-keputusan")
    assert 'id="advice-sekda"' in form and 'id="advice-split"' not in form and 'id="advice-reason"' not in form, form


def test_an_approval_against_the_advice_needs_its_reason_and_says_so(env):
    a = actors(env)
    kd = a["kepala_daerah"]
    pid, title = at_head(env, a, sekda="tidak_setuju", wakil="setuju")
    before = refused_count(env)
    r = act(kd, pid, "keputusan", expect=400, verdict="setuju", note="  ", is_public="1")
    assert "Sekda menyarankan tidak setuju: tuliskan pada catatan alasan Anda menyetujui usulan ini" in r.text, \
        r.text[:3000]
    assert state_of(kd, pid) == "Menunggu keputusan Kepala Daerah"
    assert refused_count(env) == before + 1
    assert not env.shared_db.sql("SELECT 1 FROM governance_decisions WHERE proposal_id = %d" % pid)
    # in the JSON API, in English
    r = kd.post_json("/api/v1/t/%s/usulan/%d/tindakan" % (TENANT, pid),
                     {"action": "keputusan", "verdict": "setuju", "passphrase": DEMO_PASSWORD},
                     headers={"X-CSRF-Token": kd.session_csrf(TENANT), "Accept-Language": "en"})
    r.expect_json_error(400, message="The Regional Secretary recommended against it: write in the note why you "
                                     "approve this proposal")
    # with the reason: decided, and the card says it went against the Sekda (not against the Wakil, who agreed)
    act(kd, pid, "keputusan", verdict="setuju", note="Kelahiran harus tercatat; dana dari BTT.", is_public="1")
    page = kd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    card = section(page, "decision")
    assert "Berbeda dari saran Sekda: Tidak setuju" in text(card) and "Anggaran 2027 sudah terkunci." in card, card
    assert 'id="differs-wakil"' not in card, card
    assert "Kelahiran harus tercatat; dana dari BTT." in card, card

    # the Wakil against, the Sekda for: the reason is asked for too
    pid, _ = at_head(env, a, sekda="setuju", wakil="tidak_setuju")
    r = act(kd, pid, "keputusan", expect=400, verdict="setuju", note="")
    assert "Wakil Kepala Daerah tidak setuju: tuliskan pada catatan alasan Anda menyetujui usulan ini" in r.text
    act(kd, pid, "keputusan", verdict="setuju", note="Manfaatnya lebih besar.")
    card = section(kd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text, "decision")
    assert "Berbeda dari pertimbangan Wakil: Tidak setuju" in text(card) and 'id="differs-sekda"' not in card, card

    # a rejection the Sekda advised for: its note was always required; the card names the disagreement
    pid, _ = at_head(env, a, sekda="setuju_catatan", wakil="tidak_setuju")
    r = act(kd, pid, "keputusan", expect=400, verdict="tolak", note="\n\n")
    assert "tuliskan catatan atau alasan" in r.text, r.text[:3000]
    act(kd, pid, "keputusan", verdict="tolak", note="Belum ada anggaran.")
    card = section(kd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text, "decision")
    assert "Berbeda dari saran Sekda: Setuju dengan catatan" in text(card) and 'id="differs-wakil"' not in card, card

    # all advised for an approval: no reason needed, nothing marked
    pid, _ = at_head(env, a, sekda="setuju", wakil="setuju_catatan")
    act(kd, pid, "keputusan", verdict="setuju", note="")
    card = section(kd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text, "decision")
    assert "Berbeda" not in card, card


def test_the_outcome_is_told_to_the_opd_the_sekda_and_the_wakil(env):
    a = actors(env)
    pid, title = at_head(env, a, sekda="setuju", wakil="setuju")
    act(a["kepala_daerah"], pid, "keputusan", verdict="setuju", note="")
    pid2, title2 = at_head(env, a, sekda="tidak_setuju", wakil="tidak_setuju")
    act(a["kepala_daerah"], pid2, "keputusan", verdict="tolak", note="Sependapat dengan Sekda.")
    for role in ("kepala_opd", "sekda", "wakil"):
        listed = [t for _, t in notes(login(env, role))]
        assert any(t.endswith("Usulan disetujui Kepala Daerah: %s" % title) for t in listed), (role, listed)
        assert any(t.endswith("Usulan ditolak Kepala Daerah: %s" % title2) for t in listed), (role, listed)
        en = [t for _, t in notes(login(env, role), {"Accept-Language": "en"})]
        assert any(t.endswith("The Regional Head rejected the proposal: %s" % title2) for t in en), (role, en)
    # not to another OPD's head, nor to the DPRD for an item that needs no DPRD
    assert not any(title in t for _, t in notes(login(env, "dprd")))


def test_a_sekda_return_reads_once_on_the_page_the_verification_and_the_pdf(env):
    a = actors(env)
    pid = create(a["kepala_opd"], "Dikembalikan sekali %s" % unique("ret"))
    act(a["kepala_opd"], pid, "ajukan")
    # blanks are no note: a return must say what to fix, whatever the form's "required" let through
    r = act(a["sekda"], pid, "kembalikan", expect=400, note=" \r\n\t ")
    assert "tuliskan apa yang perlu diperbaiki OPD" in r.text, r.text[:3000]
    act(a["sekda"], pid, "kembalikan", note="Lengkapi sumber anggaran.")
    chain = section(a["kepala_opd"].get("%s/usulan/%d" % (BASE, pid)).expect(200).text, "chain")
    assert "Dikembalikan Sekda ke OPD" in chain and "Dikembalikan Sekda ke OPD</strong>:" not in chain, chain
    act(a["kepala_opd"], pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict="setuju", note="")
    r = act(a["wakil"], pid, "pertimbangan", expect=400, verdict="setuju", note="   ")
    assert "tuliskan pertimbangan Anda" in r.text, r.text[:3000]
    act(a["wakil"], pid, "pertimbangan", verdict="setuju", note="Baik.")
    act(a["kepala_daerah"], pid, "keputusan", verdict="setuju", note="", is_public="1")
    page = a["kepala_daerah"].get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    token = re.search(r"/verifikasi/([0-9a-f]{32})", page).group(1)
    anon = env.client()
    v = anon.get("%s/verifikasi/%s" % (BASE, token)).expect(200).text
    assert re.search(r"Dikembalikan Sekda ke OPD</strong>: [^<]*<br>", v), v[:4000]
    assert not re.search(r"Dikembalikan Sekda ke OPD</strong>: [^<]* — Kembalikan", v), v[:4000]
    pdf = pdf_text(anon.get("%s/verifikasi/%s/pdf" % (BASE, token)).expect(200, ctype="application/pdf").body)
    assert "Dikembalikan Sekda ke OPD" in pdf and "WITA - Kembalikan" not in pdf, pdf
    assert "WITA - Setuju" in pdf, pdf    # the other steps keep their verdict
    # the API keeps the code
    j = a["kepala_daerah"].get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).expect(200).json()
    step = [s for s in j["steps"] if s["kind"] == "kembalikan_sekda"][0]
    assert step["verdict"] == "kembalikan" and step["verdict_label"] == "", step


def test_a_pokok_pikiran_says_whom_it_came_from(env):
    dprd = login(env, "dprd")
    form = dprd.get(BASE + "/pokir").expect(200)
    title = "Perekaman KTP-el di sekolah %s" % unique("pk")
    r = dprd.post_form(BASE + "/pokir", {"_csrf": form.csrf(), "unit": "DISDUKCAPIL", "title": title,
                                         "background": "Aspirasi reses dapil 2.", "proposed": ""}).expect(303)
    path = r.header("location")
    name = env.shared_db.sql("SELECT full_name FROM users WHERE username = 'dprd' AND tenant = '52.71'")[0][0]
    opd = login(env, "admin_opd")
    page = opd.get(path).expect(200).text
    assert "Pokok pikiran DPRD dari %s," % name in text(section(page, "pokir-from")), page[:3000]
    inbox = section(opd.get(BASE + "/usulan").expect(200).text, "inbox")
    item = [li for li in inbox.split("<li") if title in li][0]
    assert "pokok pikiran DPRD ·" in text(item), item
    # a proposal of the OPD's own says nothing of the kind
    pid = create(login(env, "kepala_opd"), "Usulan OPD sendiri %s" % unique("own"))
    assert 'id="pokir-from"' not in opd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text
