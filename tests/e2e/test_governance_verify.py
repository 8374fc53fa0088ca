"""
test_governance_verify.py: a citizen holding a printed decision can check that what they hold is what
was decided. The verification page shows the decided text and the head's note exactly as the head
signed them (from the signed step and the content version it names, not from copies that could be
changed behind sigap's back), the signatures over them and what they cover; the PDF carries the text
and the note. A decision not published in the JDIH shows its text only to officials who may read it:
anyone else gets the SHA-256 of the text and a form that compares the copy they hold, white space
aside; its PDF is refused to them (403), since it carries the text.
"""
import hashlib
import html
import re
from urllib.parse import quote_plus

from harness import TENANT, pdf_text, unique
from test_governance import BASE, act, actors, csrf, login

API = "/api/v1/t/%s" % TENANT

TEXT = "Menetapkan jam layanan sore\nsampai pukul 18.00 di MPP"
NOTE = "Mulai bulan depan"


def decide(a, title, public):
    """A proposal with TEXT as its decided text, approved with NOTE; returns (id, token)."""
    k = a["kepala_opd"]
    r = k.post_form(BASE + "/usulan", {"_csrf": csrf(k), "kind": "telaahan", "title": title,
                                       "background": "Latar rahasia internal", "analysis": "Analisis internal",
                                       "options": "1. Tetap", "proposed": TEXT, "urgency": "segera"}).expect(303)
    pid = int(r.header("location").rsplit("/", 1)[1])
    act(k, pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict="setuju", note="sejalan")
    act(a["wakil"], pid, "pertimbangan", verdict="setuju", note="setuju")
    fields = {"verdict": "setuju", "note": NOTE}
    if public:
        fields["is_public"] = "1"
    act(a["kepala_daerah"], pid, "keputusan", **fields)
    token = re.search(r"/verifikasi/([0-9a-f]{32})", a["kepala_daerah"].get("%s/usulan/%d" % (BASE, pid)).text)
    return pid, token.group(1)


def shown(page, ident):
    m = re.search(r'id="%s"[^>]*>(.*?)</' % ident, page, re.S)
    return html.unescape(m.group(1)) if m else None


def audit_count(env):
    return int(env.shared_db.sql("SELECT COUNT(*) FROM audit_log")[0][0])


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


def add_version_behind_sigaps_back(db, pid):
    """A content version after the decision, 'Menutup layanan sore', written straight into the database:
    nobody signed it (sigap refuses every edit after the decision)."""
    db.sql("INSERT INTO governance_versions (tenant, proposal_id, version, kind, unit, title, background, analysis, "
           "options, proposed, urgency, needs_dprd, attachments, content_hash, created_by, created_at) "
           "SELECT tenant, proposal_id, version + 1, kind, unit, title, background, analysis, options, "
           "'Menutup layanan sore', urgency, needs_dprd, attachments, content_hash, created_by, created_at "
           "FROM governance_versions WHERE proposal_id = %d AND version = "
           "(SELECT content_version FROM governance_proposals WHERE id = %d)" % (pid, pid))
    db.sql("UPDATE governance_proposals SET content_version = content_version + 1 WHERE id = %d" % pid)


def test_published_decision_shows_what_was_signed_in_page_json_and_pdf(env):
    a = actors(env)
    title = unique("Jam layanan sore")
    pid, token = decide(a, title, public=True)
    anon = env.client()
    page = anon.get("%s/verifikasi/%s" % (BASE, token)).expect(200, contains="Tanda tangan sah").text
    assert shown(page, "decided-text") == TEXT, page[:4000]
    assert shown(page, "decided-note") == NOTE
    assert html.escape(title) in page and "Latar rahasia internal" not in page
    # what the signatures cover: the content hash the head's step signed, and the text's own digest
    step = [s for s in a["sekda"].get("%s/usulan/%d" % (API, pid)).expect(200).json()["steps"]
            if s["kind"] == "keputusan"][0]
    content_hash = env.shared_db.sql("SELECT content_hash FROM governance_steps WHERE proposal_id = %d AND "
                                     "kind = 'keputusan'" % pid)[0][0]
    assert shown(page, "content-hash") == content_hash
    assert shown(page, "text-sha256") == sha(TEXT) and shown(page, "note-sha256") == sha(NOTE)
    assert step["signature"] in page and step["step_hash"] in page
    j = anon.get("%s/verifikasi/%s" % (API, token)).expect(200).json()
    assert j["valid"] is True and j["text"] == TEXT and j["note"] == NOTE and j["title"] == title, j
    assert j["signed"]["content_hash"] == content_hash and j["signed"]["text_sha256"] == sha(TEXT), j
    assert j["signed"]["version"] == step["proposal_version"]
    assert "/verifikasi/%s/pdf" % token in page and 'id="text-hidden"' not in page
    pdf = pdf_text(anon.get("%s/verifikasi/%s/pdf" % (BASE, token)).expect(200, ctype="application/pdf").body)
    for want in ("Isi keputusan", "Menetapkan jam layanan sore", "sampai pukul 18.00 di MPP",
                 "Catatan Kepala Daerah", NOTE):
        assert want in pdf, (want, pdf[:4000])
    assert pdf.index("Isi keputusan") < pdf.index(NOTE) < pdf.index("Rangkaian tanda tangan elektronik")


def test_the_page_shows_the_signed_version_and_catches_copies_changed_behind_sigaps_back(env):
    a = actors(env)
    db = env.shared_db
    pid, token = decide(a, unique("Versi yang diputuskan"), public=True)
    anon = env.client()
    url = "%s/verifikasi/%s" % (BASE, token)
    # the decision row's copy of the title changed: it was not checked, and the page showed it as decided
    db.sql("UPDATE governance_decisions SET title = 'Judul palsu' WHERE proposal_id = %d" % pid)
    page = anon.get(url).expect(200).text
    assert "Tanda tangan TIDAK sah" in page and "catatan keputusan telah diubah" in page, page[:3000]
    assert "Judul palsu" not in page
    db.sql("UPDATE governance_decisions SET title = (SELECT title FROM governance_proposals WHERE id = %d) "
           "WHERE proposal_id = %d" % (pid, pid))
    assert "Tanda tangan sah:" in anon.get(url).text
    # a content version added after the decision: nobody signed it, and the page showed it as the decision
    add_version_behind_sigaps_back(db, pid)
    page = anon.get(url).expect(200).text
    assert "isi usulan diubah setelah keputusan ditandatangani" in page, page[:3000]
    assert shown(page, "decided-text") == TEXT and "Menutup layanan sore" not in page
    j = anon.get("%s/verifikasi/%s" % (API, token)).json()
    assert j["valid"] is False and j["text"] == TEXT, j
    pdf = pdf_text(anon.get(url + "/pdf").expect(200).body)
    assert "Menetapkan jam layanan sore" in pdf and "Menutup layanan sore" not in pdf


def register_entry(c, title, pid, api=False):
    """The register's entry of proposal pid, found by searching its title: its article (page) or its
    object (API)."""
    if api:
        found = [d for d in c.get("%s/keputusan?q=%s" % (API, quote_plus(title))).expect(200).json()["decisions"]
                 if d["id"] == pid]
        return found[0] if found else None
    page = c.get("%s/jdih?q=%s" % (BASE, quote_plus(title))).expect(200).text
    m = re.search(r'<article class="card gov-decision">((?:(?!</article>).)*id="check-%d".*?)</article>' % pid, page,
                  re.S)
    return html.unescape(m.group(1)) if m else None


def test_the_register_says_per_entry_whether_it_verifies(env):
    """The JDIH register showed each published decision as it stood in its rows, where the verification
    page checks them: a title changed in the decision row or a version added after the decision was
    listed as any other. Each entry now says whether it verifies, by the verification page's own check,
    with the title and text as signed; on the page and in the JSON API."""
    a = actors(env)
    db = env.shared_db
    title = unique("Register terverifikasi")
    pid, token = decide(a, title, public=True)
    other_title = unique("Register lain")
    other, _t = decide(a, other_title, public=True)
    anon = env.client()
    entry = register_entry(anon, title, pid)
    assert entry and "Tanda tangan sah" in entry and "TIDAK sah" not in entry, entry
    j = register_entry(anon, title, pid, api=True)
    assert j["valid"] is True and "problem" not in j and j["title"] == title, j
    # the decision row's title changed behind sigap's back
    db.sql("UPDATE governance_decisions SET title = 'Judul palsu' WHERE proposal_id = %d" % pid)
    entry = register_entry(anon, title, pid)
    assert entry and "Tanda tangan TIDAK sah: catatan keputusan telah diubah setelah ditandatangani" in entry, entry
    assert "Jangan mengandalkan keputusan ini." in entry and "Judul palsu" not in entry and title in entry, entry
    j = register_entry(anon, title, pid, api=True)
    assert j["valid"] is False and j["problem"] == "catatan keputusan telah diubah setelah ditandatangani", j
    assert j["title"] == title, j
    e = anon.get("%s/keputusan?q=%s" % (API, quote_plus(title)), headers={"Accept-Language": "en"}).expect(200).json()
    assert [d["problem"] for d in e["decisions"] if d["id"] == pid] == \
        ["the decision record was changed after it was signed"], e
    # the other entry still verifies
    assert "Tanda tangan sah" in register_entry(anon, other_title, other)
    db.sql("UPDATE governance_decisions SET title = (SELECT title FROM governance_proposals WHERE id = %d) "
           "WHERE proposal_id = %d" % (pid, pid))
    assert "Tanda tangan sah" in register_entry(anon, title, pid)
    # a content version added after the decision
    add_version_behind_sigaps_back(db, pid)
    entry = register_entry(anon, title, pid)
    assert "Tanda tangan TIDAK sah: isi usulan diubah setelah keputusan ditandatangani" in entry, entry
    assert "Menutup layanan sore" not in entry and "Menetapkan jam layanan sore" in entry, entry
    assert register_entry(anon, title, pid, api=True)["valid"] is False
    # a signed step's note changed: the signature no longer verifies
    db.sql("UPDATE governance_steps SET note = 'catatan lain' WHERE proposal_id = %d AND kind = 'saran'" % other)
    entry = register_entry(anon, other_title, other)
    assert "Tanda tangan TIDAK sah: tanda tangan tidak sah" in entry, entry


def test_unpublished_decision_is_compared_not_shown(env):
    a = actors(env)
    pid, token = decide(a, unique("Keputusan tertutup"), public=False)
    anon = env.client()
    url = "%s/verifikasi/%s" % (BASE, token)
    page = anon.get(url).expect(200, contains="Tanda tangan sah").text
    assert 'id="text-hidden"' in page and 'id="decided-text"' not in page and 'id="decided-note"' not in page
    assert "sampai pukul 18.00" not in page and NOTE not in page
    assert shown(page, "text-sha256") == sha(TEXT) and shown(page, "note-sha256") == sha(NOTE)
    assert "/verifikasi/%s/pdf" % token not in page
    j = anon.get("%s/verifikasi/%s" % (API, token)).expect(200).json()
    assert "text" not in j and "note" not in j and j["text_hidden"] is True and j["pdf"] is False, j
    # its PDF carries the text: refused to the public, with the way to compare
    r = anon.get(url + "/pdf").expect(403)
    assert 'id="pdf-refused"' in r.text and 'id="compare-form"' in r.text and "%PDF" not in r.text
    # an official who may read the proposal sees it and gets the PDF with the text and the note
    kd = a["kepala_daerah"]
    assert shown(kd.get(url).expect(200).text, "decided-text") == TEXT
    r = kd.get(url + "/pdf").expect(200, ctype="application/pdf")
    assert r.header("cache-control") == "no-store", r.header("cache-control")
    pdf = pdf_text(r.body)
    assert "Menetapkan jam layanan sore" in pdf and NOTE in pdf, pdf[:3000]
    # a warga signed in is the public
    w = login(env, "warga")
    assert 'id="text-hidden"' in w.get(url).text
    w.get(url + "/pdf").expect(403)

    # the copy held, wrapped differently (as copied from a PDF): the same
    audited = audit_count(env)
    form = anon.get(url).expect(200)
    r = anon.post_form(url, {"_csrf": form.csrf(), "text": "  Menetapkan jam layanan\r\nsore sampai pukul 18.00 "
                             "di MPP\n", "note": "Mulai  bulan\ndepan"}).expect(200)
    result = re.search(r'id="compare-result".*?</ul>', r.text, re.S).group(0)
    assert "Isi keputusan: sama dengan yang ditandatangani" in result, result
    assert "Catatan Kepala Daerah: sama dengan yang ditandatangani" in result, result
    assert "sampai pukul 18.00" in r.text  # what was typed is kept in the form, for no cache
    assert r.header("cache-control") == "no-store", r.header("cache-control")
    # one word changed: it differs
    r = anon.post_form(url, {"_csrf": form.csrf(), "text": TEXT.replace("18.00", "21.00"),
                             "note": NOTE + "."}).expect(200)
    result = re.search(r'id="compare-result".*?</ul>', r.text, re.S).group(0)
    assert "Isi keputusan: BERBEDA" in result and "Catatan Kepala Daerah: BERBEDA" in result, result
    # the text alone is compared alone
    r = anon.post_form(url, {"_csrf": form.csrf(), "text": TEXT}).expect(200)
    result = re.search(r'id="compare-result".*?</ul>', r.text, re.S).group(0)
    assert "sama dengan" in result and "Catatan Kepala Daerah" not in result, result
    # nothing to compare: 400 in the reader's language; without the form's token: 403
    r = anon.post_form(url, {"_csrf": form.csrf(), "text": " \n "}).expect(400)
    assert 'id="compare-error"' in r.text and "salin atau ketik isi keputusan" in r.text
    r = anon.post_form(url, {"_csrf": form.csrf(), "text": " "},
                       headers={"Accept-Language": "en"}).expect(400)
    assert "copy or type the text of the decision" in r.text, r.text[:3000]
    anon.post_form(url, {"text": TEXT}).expect(403)
    r = anon.post_form(url, {"_csrf": form.csrf(), "text": "x" * 90000}).expect(400)
    assert 'id="compare-error"' in r.text
    # an unknown code: the verification page's 404
    anon.post_form("%s/verifikasi/%s" % (BASE, "0" * 32), {"_csrf": form.csrf(), "text": TEXT}).expect(404)
    # a comparison changes nothing: no audit entry, no refusal
    assert audit_count(env) == audited
